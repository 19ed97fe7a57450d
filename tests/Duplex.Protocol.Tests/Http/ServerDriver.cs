using System.Buffers;
using System.Text;
using Duplex.Protocol.Http;

namespace Duplex.Protocol.Tests.Http;

/// <summary>Feeds bytes written out in a test to an <see cref="HttpServerConnection"/> and collects what it writes back, as text (Latin-1).</summary>
internal sealed class ServerDriver
{
    public const long DefaultMaxBody = 1 << 20;
    public const long DefaultMaxDrain = 1 << 16;

    public ServerDriver(long maxBody = DefaultMaxBody, long maxDrain = DefaultMaxDrain, HttpLimits? limits = null)
    {
        Connection = new HttpServerConnection(limits ?? HttpLimits.Default, maxBody, maxDrain);
    }

    public HttpServerConnection Connection { get; }

    /// <summary>What the connection wrote so far.</summary>
    public ArrayBufferWriter<byte> Output { get; } = new();

    public string Written => Encoding.Latin1.GetString(Output.WrittenSpan);

    /// <summary>Parses a head from <paramref name="text"/>; returns the event and how many bytes it took.</summary>
    public HttpServerEvent Head(string text, out int consumed) => Connection.ReceiveHead(HttpBytes.Of(text), out consumed);

    /// <summary>Parses a head that must be accepted and returns the bytes after it.</summary>
    public string AcceptHead(string text)
    {
        HttpServerEvent e = Head(text, out int consumed);
        Assert.True(e == HttpServerEvent.RequestHead, $"expected a request head, got {e} ({Connection.Rejection})");
        return text[consumed..];
    }

    /// <summary>Parses a head that must be refused and returns the reason.</summary>
    public HttpRequestRejection RefuseHead(string text)
    {
        Assert.Equal(HttpServerEvent.Rejected, Head(text, out _));
        Assert.Equal(HttpRequestPhase.Refused, Connection.RequestPhase);
        Assert.False(Connection.KeepAlive);
        return Connection.Rejection;
    }

    /// <summary>Reads the body from <paramref name="text"/> with an output of <paramref name="outputSize"/> bytes per call; returns the body, the last event and the bytes left over.</summary>
    public (string Body, HttpServerEvent Event, string After) ReadBody(string text, int outputSize = 64)
    {
        byte[] input = HttpBytes.Of(text);
        var body = new StringBuilder();
        byte[] output = new byte[outputSize];
        int pos = 0;
        while (true)
        {
            HttpServerEvent e = Connection.ReceiveBody(input.AsSpan(pos), output, out int consumed, out int written);
            pos += consumed;
            body.Append(Encoding.Latin1.GetString(output, 0, written));
            if (e != HttpServerEvent.OutputFull)
            {
                return (body.ToString(), e, text[pos..]);
            }
        }
    }

    /// <summary>Writes a whole response and returns everything written so far.</summary>
    public string Respond(int status, string body = "", long? contentLength = null, HttpHeaders? headers = null, string date = "")
    {
        Connection.WriteResponseHead(Output, status, headers, contentLength, HttpBytes.Of(date));
        if (body.Length > 0)
        {
            Connection.WriteBody(Output, HttpBytes.Of(body));
        }

        Connection.WriteEndOfBody(Output);
        return Written;
    }

    public static HttpHeaders Fields(params string[] nameValuePairs)
    {
        var headers = new HttpHeaders();
        for (int i = 0; i < nameValuePairs.Length; i += 2)
        {
            headers.Add(nameValuePairs[i], nameValuePairs[i + 1]);
        }

        return headers;
    }
}
