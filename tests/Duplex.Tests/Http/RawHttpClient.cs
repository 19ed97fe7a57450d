using System.Net.Sockets;
using System.Text;
using Duplex.Tests.Support;

namespace Duplex.Tests.Http;

/// <summary>One response as read off the wire by <see cref="RawHttpClient"/>: the exact bytes, and what they say.</summary>
internal sealed record RawResponse(string Raw, string Head, int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, string Body)
{
    /// <summary>The value of the only field named <paramref name="name"/>, or null; fails when there are several.</summary>
    public string? Header(string name)
    {
        var values = Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
        Assert.True(values.Count <= 1, $"{name} appears {values.Count} times in:\n{Head}");
        return values.Count == 0 ? null : values[0];
    }

    /// <summary>The raw bytes with the Date line taken out (it must be an IMF-fixdate), so tests can compare the rest exactly.</summary>
    public string WithoutDate
    {
        get
        {
            string? date = Header("Date");
            Assert.NotNull(date);
            Assert.True(DateTime.TryParseExact(date, "R", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _), $"Date '{date}' is not an IMF-fixdate");
            return Raw.Replace($"Date: {date}\r\n", string.Empty, StringComparison.Ordinal);
        }
    }
}

/// <summary>
/// A deliberately low-level HTTP/1.1 client for tests: it writes exactly the bytes a test gives
/// it (valid or not) and reads responses back byte for byte, framed by their Content-Length,
/// chunks, or the end of the connection. Every read is bounded.
/// </summary>
internal sealed class RawHttpClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _offset;
    private int _count;

    private RawHttpClient(Socket socket)
    {
        _socket = socket;
    }

    public int LocalPort => ((System.Net.IPEndPoint)_socket.LocalEndPoint!).Port;

    public static async Task<RawHttpClient> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port)).WaitAsync(Bounded.Default);
        return new RawHttpClient(socket);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None).WaitAsync(Bounded.Default);

    /// <summary>Closes the sending side (the server sees the end of the stream).</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Sends <paramref name="request"/> and reads one response.</summary>
    public async Task<RawResponse> RequestAsync(string request, bool head = false)
    {
        await SendAsync(request);
        return await ReadResponseAsync(head);
    }

    /// <summary>Reads one response; <paramref name="head"/> for the answer to a HEAD, which has no body whatever its fields say.</summary>
    public async Task<RawResponse> ReadResponseAsync(bool head = false)
    {
        var raw = new StringBuilder();
        string headText = await ReadLineBlockAsync(raw);
        string[] lines = headText.Split("\r\n");
        int status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new List<KeyValuePair<string, string>>();
        foreach (string line in lines.Skip(1).Where(l => l.Length > 0))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
        }

        var response = new RawResponse(string.Empty, headText, status, headers, string.Empty);
        string body = string.Empty;
        if (!head && status >= 200 && status is not 204 and not 304)
        {
            if (response.Header("Transfer-Encoding") is { } coding)
            {
                Assert.Equal("chunked", coding);
                body = await ReadChunkedAsync(raw);
            }
            else if (response.Header("Content-Length") is { } length)
            {
                body = await ReadExactAsync(int.Parse(length, System.Globalization.CultureInfo.InvariantCulture), raw);
            }
            else
            {
                body = await ReadToEndAsync(raw);
            }
        }

        return response with { Raw = raw.ToString(), Body = body };
    }

    /// <summary>Reads the bytes that arrive until the server closes; returns them.</summary>
    public async Task<string> ReadToEndAsync() => await ReadToEndAsync(new StringBuilder());

    /// <summary>Whether the server closed the connection (end of stream or reset) with nothing more sent, within the bounded wait.</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        try
        {
            return await ReadToEndAsync() == string.Empty;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    /// <summary>Whether nothing arrives and the connection stays open for <paramref name="quiet"/>.</summary>
    public async Task<bool> StaysOpenAndSilentAsync(TimeSpan quiet)
    {
        if (_count > 0)
        {
            return false;
        }

        using var cts = new CancellationTokenSource(quiet);
        try
        {
            int read = await _socket.ReceiveAsync(_buffer, SocketFlags.None, cts.Token);
            _offset = 0;
            _count = read;
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    public async Task<string> ReadExactAsync(int length) => await ReadExactAsync(length, new StringBuilder());

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<string> ReadLineBlockAsync(StringBuilder raw)
    {
        var block = new StringBuilder();
        while (!block.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            int b = await ReadByteAsync();
            if (b < 0)
            {
                throw new IOException($"The connection closed inside a head: {block}");
            }

            block.Append((char)b);
        }

        raw.Append(block);
        return block.ToString();
    }

    private async Task<string> ReadLineAsync(StringBuilder raw)
    {
        var line = new StringBuilder();
        while (!line.ToString().EndsWith("\r\n", StringComparison.Ordinal))
        {
            int b = await ReadByteAsync();
            if (b < 0)
            {
                throw new IOException($"The connection closed inside a line: {line}");
            }

            line.Append((char)b);
        }

        raw.Append(line);
        return line.ToString(0, line.Length - 2);
    }

    private async Task<string> ReadChunkedAsync(StringBuilder raw)
    {
        var body = new StringBuilder();
        while (true)
        {
            int size = Convert.ToInt32(await ReadLineAsync(raw), 16);
            if (size == 0)
            {
                Assert.Equal(string.Empty, await ReadLineAsync(raw));
                return body.ToString();
            }

            body.Append(await ReadExactAsync(size, raw));
            Assert.Equal(string.Empty, await ReadLineAsync(raw));
        }
    }

    private async Task<string> ReadExactAsync(int length, StringBuilder raw)
    {
        var data = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            int b = await ReadByteAsync();
            if (b < 0)
            {
                throw new IOException($"The connection closed after {i} of {length} body bytes.");
            }

            data.Append((char)b);
        }

        raw.Append(data);
        return data.ToString();
    }

    private async Task<string> ReadToEndAsync(StringBuilder raw)
    {
        var data = new StringBuilder();
        while (await ReadByteAsync() is var b and >= 0)
        {
            data.Append((char)b);
        }

        raw.Append(data);
        return data.ToString();
    }

    /// <summary>The next byte (as Latin-1), or -1 at the end of the stream; a reset counts as the end.</summary>
    private async Task<int> ReadByteAsync()
    {
        if (_count == 0)
        {
            using var cts = new CancellationTokenSource(Bounded.Default);
            int read;
            try
            {
                read = await _socket.ReceiveAsync(_buffer, SocketFlags.None, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("Timed out waiting for bytes from the server.");
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
            {
                return -1;
            }

            if (read == 0)
            {
                return -1;
            }

            _offset = 0;
            _count = read;
        }

        _count--;
        return _buffer[_offset++];
    }
}
