using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Duplex.Protocol.Extensions;
using Duplex.Tests.Support;

namespace Duplex.Tests.Conformance;

/// <summary>
/// One case of Autobahn groups 12 and 13 against one Duplex end, judged as the suite judges it
/// and stricter where noted. The raw peer negotiates permessage-deflate as the suite does —
/// against the Duplex server it sends the case's offers and requires an answer that accepts
/// one of them; against the Duplex client it answers the client's offer with the case's accept
/// function — and then really compresses: each message is deflated with
/// <see cref="MessageDeflater"/> under the parameters the answer gives the peer, sent with RSV1
/// and cut into frames of the case's auto-fragment size. Each echo must come back with the same
/// type, length and SHA-1; it must be compressed (RSV1) exactly when Duplex's
/// <see cref="PerMessageDeflateOptions.MinimumMessageSize"/> says so, must inflate with a
/// <see cref="MessageInflater"/> of the window the answer gives Duplex (a fresh one for every
/// message when Duplex agreed to no context takeover), and its deflate data must keep within
/// that window and context (<see cref="CompressionDeflateAudit"/>). The case ends with the
/// suite's clean close: the peer closes with 1000, Duplex answers 1000, and the server closes TCP.
/// </summary>
internal sealed class CompressionCaseRun : IAsyncDisposable
{
    private readonly IEchoHost? _server;
    private readonly TcpListener? _listener;
    private readonly WebSocketConnection? _client;
    private readonly MessageDeflater _deflater;
    private readonly CompressionDeflateAudit _audit;
    private readonly int _receiveWindowBits;
    private readonly bool _receiveNoContextTakeover;
    private MessageInflater _inflater;
    private Task<Exception?>? _agent;

    private CompressionCaseRun(
        Side side,
        RawPeer peer,
        string caseId,
        string offer,
        string answer,
        CompressionAgreement agreement,
        PerMessageDeflateOptions duplexOptions,
        IEchoHost? server,
        TcpListener? listener,
        WebSocketConnection? client)
    {
        Side = side;
        Peer = peer;
        CaseId = caseId;
        Offer = offer;
        Answer = answer;
        Agreement = agreement;
        DuplexOptions = duplexOptions;
        _server = server;
        _listener = listener;
        _client = client;

        // The peer compresses with the half of the agreement that binds its own role, as the
        // suite does (zlib's default level 6 and memLevel 8), and inflates with Duplex's half.
        (int sendBits, bool sendNoContext) = side != Side.Client
            ? (agreement.ClientWindowBits, agreement.ClientNoContextTakeover)
            : (agreement.ServerWindowBits, agreement.ServerNoContextTakeover);
        (_receiveWindowBits, _receiveNoContextTakeover) = side != Side.Client
            ? (agreement.ServerWindowBits, agreement.ServerNoContextTakeover)
            : (agreement.ClientWindowBits, agreement.ClientNoContextTakeover);
        _deflater = new MessageDeflater(sendBits, 6, 8, sendNoContext);
        _inflater = new MessageInflater(_receiveWindowBits, _receiveNoContextTakeover);
        _audit = new CompressionDeflateAudit(_receiveWindowBits, _receiveNoContextTakeover);
    }

    public Side Side { get; }

    public RawPeer Peer { get; }

    public string CaseId { get; }

    /// <summary>The Sec-WebSocket-Extensions value of the client's request.</summary>
    public string Offer { get; }

    /// <summary>The Sec-WebSocket-Extensions value of the server's 101 answer.</summary>
    public string Answer { get; }

    public CompressionAgreement Agreement { get; }

    /// <summary>The permessage-deflate options of the Duplex end under test.</summary>
    public PerMessageDeflateOptions DuplexOptions { get; }

    /// <summary>How many echoes came back compressed (RSV1).</summary>
    public int CompressedEchoes { get; private set; }

    /// <summary>
    /// Starts a case: against the Duplex server, connects with the setting's offers and checks
    /// the answer; against the Duplex client, accepts its offer with the setting's accept function.
    /// </summary>
    public static Task<CompressionCaseRun> StartAsync(Side side, string caseId, CompressionSetting setting, PerMessageDeflateOptions duplexOptions) =>
        side != Side.Client ? StartServerCaseAsync(side, caseId, setting, duplexOptions) : StartClientCaseAsync(caseId, setting, duplexOptions);

    private static async Task<CompressionCaseRun> StartServerCaseAsync(Side side, string caseId, CompressionSetting setting, PerMessageDeflateOptions serverOptions)
    {
        IEchoHost server = await EchoHosts.StartAsync(side, new WebSocketConnectionOptions
        {
            MaxMessageSize = 32 * 1024 * 1024,
            KeepAliveInterval = Timeout.InfiniteTimeSpan,
            Compression = serverOptions,
        });
        RawPeer? peer = null;
        try
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port)).WaitAsync(Bounded.Default);
            peer = new RawPeer(socket, actsAsClient: true);
            string offer = setting.OfferHeaderValue;
            string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            string request = $"GET /echo HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: {offer}\r\n\r\n";
            await peer.SendAsync(Encoding.ASCII.GetBytes(request));
            string head = await peer.ReadHttpHeadAsync();
            string where = $"Server, case {caseId} ({setting}): offer 'Sec-WebSocket-Extensions: {offer}'";
            Assert.True(head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal), $"{where}: the handshake was refused:\n{head}");
            string? answer = HeaderValue(head, "Sec-WebSocket-Extensions");
            if (answer is null)
            {
                // The suite then reports the case UNIMPLEMENTED: not a pass.
                Assert.Fail($"{where}: the Duplex server declined permessage-deflate (no Sec-WebSocket-Extensions in its 101). Expected an answer accepting one of the offers.\n{head}");
            }

            CompressionAgreement agreement = ParseAnswer(where, answer);
            string[] refusals = setting.Offers.Select(o => agreement.WhyNotAnswerTo(o)).OfType<string>().ToArray();
            if (refusals.Length == setting.Offers.Length)
            {
                Assert.Fail($"{where}: the answer 'Sec-WebSocket-Extensions: {answer}' accepts none of the offers: {string.Join("; ", refusals)}.");
            }

            return new CompressionCaseRun(side, peer, caseId, offer, answer, agreement, serverOptions, server, null, null);
        }
        catch
        {
            if (peer is not null)
            {
                await peer.DisposeAsync();
            }

            await server.DisposeAsync();
            throw;
        }
    }

    private static async Task<CompressionCaseRun> StartClientCaseAsync(string caseId, CompressionSetting setting, PerMessageDeflateOptions clientOptions)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        RawPeer? peer = null;
        Task<WebSocketConnection>? connecting = null;
        WebSocketConnection? client = null;
        try
        {
            var uri = new Uri($"ws://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/case");
            var options = new WebSocketClientOptions
            {
                UseEnvironmentProxy = false,
                WebSocket = new WebSocketConnectionOptions
                {
                    MaxMessageSize = 64L * 1024 * 1024,
                    KeepAliveInterval = Timeout.InfiniteTimeSpan,
                    Compression = clientOptions,
                },
            };
            connecting = WebSocketClient.ConnectAsync(uri, options, Bounded.Token());
            Socket socket = await listener.AcceptSocketAsync(Bounded.Token());
            peer = new RawPeer(socket, actsAsClient: false);
            string head = await peer.ReadHttpHeadAsync();
            Assert.StartsWith("GET /case HTTP/1.1", head, StringComparison.Ordinal);
            string where = $"Client, case {caseId} ({setting})";
            string key = HeaderValue(head, "Sec-WebSocket-Key") ?? throw new InvalidOperationException($"{where}: no Sec-WebSocket-Key in\n{head}");
            string? offer = HeaderValue(head, "Sec-WebSocket-Extensions");
            if (offer is null)
            {
                Assert.Fail($"{where}: the Duplex client offered no extension although it was configured to offer permessage-deflate.\n{head}");
            }

            AutobahnOffer[] offers;
            try
            {
                offers = CompressionExtensionElement.ParseAll(offer)
                    .Where(e => e.Name == "permessage-deflate")
                    .Select(AutobahnOffer.Parse)
                    .ToArray();
            }
            catch (FormatException ex)
            {
                Assert.Fail($"{where}: the suite's server cannot read the offer 'Sec-WebSocket-Extensions: {offer}': {ex.Message}");
                throw;
            }

            AutobahnAccept? accept = setting.Accept(offers);
            if (accept is null)
            {
                Assert.Fail($"{where}: the case's accept function applies to none of the client's offers ('Sec-WebSocket-Extensions: {offer}'); the suite would report the case UNIMPLEMENTED.");
            }

            string answer = accept.ToHeaderValue();
            string response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Accept: {AcceptKey(key)}\r\nSec-WebSocket-Extensions: {answer}\r\n\r\n";
            await peer.SendAsync(Encoding.ASCII.GetBytes(response));
            try
            {
                client = await connecting.Within("the Duplex client to connect");
            }
            catch (WebSocketHandshakeException ex)
            {
                Assert.Fail($"{where}: the Duplex client offered 'Sec-WebSocket-Extensions: {offer}', was answered 'Sec-WebSocket-Extensions: {answer}' (the case's accept), and refused the answer: {ex.Message}");
                throw;
            }

            connecting = null;
            CompressionAgreement agreement = ParseAnswer(where, answer);
            var run = new CompressionCaseRun(Side.Client, peer, caseId, offer, answer, agreement, clientOptions, null, listener, client);
            run._agent = AutobahnAgent.EchoUntilClosedAsync(client);
            return run;
        }
        catch
        {
            if (peer is not null)
            {
                await peer.DisposeAsync();
            }

            client?.Abort();
            if (connecting is not null)
            {
                try
                {
                    (await connecting.WaitAsync(Bounded.Default)).Abort();
                }
                catch (Exception ex) when (ex is WebSocketHandshakeException or IOException or OperationCanceledException or TimeoutException)
                {
                }
            }

            listener.Stop();
            listener.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The body of a 12.x/13.x case: <paramref name="count"/> messages of <paramref name="length"/>
    /// units cut from <paramref name="data"/>, each sent compressed (in frames of
    /// <paramref name="autoFragment"/> compressed bytes when that is above 0) and its echo checked
    /// before the next is sent, as the suite does.
    /// </summary>
    public async Task EchoMessagesAsync(CompressionTestData data, int length, int autoFragment, int count)
    {
        int cursor = 0;
        for (int i = 1; i <= count; i++)
        {
            byte[] message = data.Next(ref cursor, length);
            await EchoOneAsync(data.IsText, message, length, autoFragment, i, count);
        }
    }

    private async Task EchoOneAsync(bool text, byte[] message, int length, int autoFragment, int index, int count)
    {
        string which = string.Create(CultureInfo.InvariantCulture, $"{Describe()}: message {index} of {count} ({(text ? "text" : "binary")}, {length} {(text ? "characters" : "bytes")}, {message.Length} bytes)");
        var compressed = new ArrayBufferWriter<byte>(Math.Max(64, message.Length / 2));
        _deflater.Compress(message, compressed);
        Task sending = Peer.SendAsync(Frames(text ? 1 : 2, compressed.WrittenSpan.ToArray(), autoFragment));

        CompressionWireMessage? echo = await Peer.ReadCompressionMessageAsync(CaseRun.EventTimeout, $"the echo of {which}");
        await sending;
        if (echo is null)
        {
            Assert.Fail($"{which}: the endpoint closed TCP instead of echoing.");
        }

        if (echo.Kind is not (WireEventKind.Text or WireEventKind.Binary))
        {
            Assert.Fail($"{which}: expected its echo, got {echo}.");
        }

        if (echo.Kind != (text ? WireEventKind.Text : WireEventKind.Binary))
        {
            Assert.Fail($"{which}: the echo's type differs: got {echo.Kind}.");
        }

        bool shouldCompress = message.Length >= DuplexOptions.MinimumMessageSize;
        if (echo.Compressed != shouldCompress)
        {
            Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{which}: the echo came back {(echo.Compressed ? "compressed (RSV1 set)" : "uncompressed (RSV1 clear)")}, but Duplex's MinimumMessageSize of {DuplexOptions.MinimumMessageSize} bytes says it must be {(shouldCompress ? "compressed" : "sent as is")}."));
        }

        byte[] received = echo.Payload;
        if (echo.Compressed)
        {
            CompressedEchoes++;
            received = Inflate(which, echo.Payload, message.Length);
            long audited;
            try
            {
                audited = _audit.Audit(echo.Payload);
            }
            catch (InvalidDataException ex)
            {
                Assert.Fail($"{which}: the echo's deflate data breaks the agreement '{Answer}' ({DescribeReceive()}): {ex.Message} First bytes: {Convert.ToHexString(echo.Payload.AsSpan(0, Math.Min(32, echo.Payload.Length)))}.");
                throw;
            }

            Assert.True(audited == received.Length, $"{which}: the deflate data decodes to {audited} bytes but inflated to {received.Length}.");
        }

        if (text && !System.Text.Unicode.Utf8.IsValid(received))
        {
            Assert.Fail($"{which}: the echoed text is not valid UTF-8.");
        }

        if (received.Length != message.Length)
        {
            Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{which}: the echo's length differs: got {received.Length} bytes, expected {message.Length}."));
        }

        if (text && Encoding.UTF8.GetCharCount(received) != length)
        {
            Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{which}: the echo has {Encoding.UTF8.GetCharCount(received)} characters, expected {length}."));
        }

#pragma warning disable CA5350 // The suite compares echoes by SHA-1; it is no security check.
        byte[] got = SHA1.HashData(received);
        byte[] expected = SHA1.HashData(message);
#pragma warning restore CA5350
        if (!got.AsSpan().SequenceEqual(expected))
        {
            Assert.Fail($"{which}: the echo's contents differ: got SHA-1 {Convert.ToHexStringLower(got)}, expected {Convert.ToHexStringLower(expected)}.");
        }
    }

    /// <summary>The frames of one compressed message: RSV1 on the first, cut as the suite's auto-fragmentation cuts it.</summary>
    private byte[] Frames(int opcode, byte[] payload, int autoFragment)
    {
        if (autoFragment <= 0 || payload.Length <= autoFragment)
        {
            return Peer.Frame(opcode, payload, fin: true, rsv: 4);
        }

        using var all = new MemoryStream();
        for (int offset = 0; offset < payload.Length; offset += autoFragment)
        {
            int take = Math.Min(autoFragment, payload.Length - offset);
            bool first = offset == 0;
            all.Write(Peer.Frame(first ? opcode : 0, payload.AsSpan(offset, take).ToArray(), fin: offset + take == payload.Length, rsv: first ? 4 : 0));
        }

        return all.ToArray();
    }

    private byte[] Inflate(string which, byte[] payload, int expectedLength)
    {
        if (_receiveNoContextTakeover)
        {
            // Duplex agreed to forget its history after every message: a fresh decompressor
            // must be able to inflate each one on its own.
            _inflater.Dispose();
            _inflater = new MessageInflater(_receiveWindowBits, noContextTakeover: true);
        }

        var output = new byte[expectedLength + 64];
        int total = 0;
        int used = 0;
        while (true)
        {
            OperationStatus status = _inflater.Inflate(payload.AsSpan(used), output.AsSpan(total), out int consumed, out int written);
            used += consumed;
            total += written;
            if (status == OperationStatus.InvalidData)
            {
                Assert.Fail($"{which}: the echo does not inflate with {DescribeReceive()}: {_inflater.ErrorMessage}");
            }

            if (status == OperationStatus.Done)
            {
                break;
            }

            if (total == output.Length)
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{which}: the echo inflates to more than {output.Length} bytes (expected {expectedLength})."));
            }
        }

        while (true)
        {
            OperationStatus status = _inflater.Finish(output.AsSpan(total), out int written);
            total += written;
            if (status == OperationStatus.Done)
            {
                break;
            }

            if (status == OperationStatus.InvalidData || total == output.Length)
            {
                Assert.Fail($"{which}: the echo does not end cleanly with {DescribeReceive()}: {_inflater.ErrorMessage ?? "too long"}");
            }
        }

        return output[..total];
    }

    /// <summary>
    /// The suite's end of these cases (closedByMe, 1000, clean): the peer closes with 1000, the
    /// endpoint must answer 1000 and nothing else, and the server must close TCP — the Duplex
    /// server by itself, the fake server only after the Duplex client waited for it.
    /// </summary>
    public async Task CloseNormallyAsync()
    {
        await Peer.SendCloseAsync(1000);
        WireEvent? reply = await Peer.ReadEventAsync(CaseRun.EventTimeout, "the close reply");
        if (reply is null)
        {
            Assert.Fail($"{Describe()}: the endpoint closed TCP without answering the close.");
        }

        if (reply.Kind != WireEventKind.Close || reply.CloseCode != 1000)
        {
            Assert.Fail($"{Describe()}: expected a close reply with 1000, got {reply}.");
        }

        if (Side != Side.Client)
        {
            switch (await Peer.ProbeAsync(CaseRun.ServerDropTimeout))
            {
                case ProbeResult.Silent:
                    Assert.Fail($"{Describe()}: the Duplex server did not close TCP within {CaseRun.ServerDropTimeout.TotalSeconds} s of the closing handshake.");
                    break;
                case ProbeResult.Data:
                    Assert.Fail($"{Describe()}: the Duplex server sent data after its close frame.");
                    break;
            }

            return;
        }

        switch (await Peer.ProbeAsync(CaseRun.DropProbe))
        {
            case ProbeResult.Closed:
                Assert.Fail($"{Describe()}: the Duplex client closed TCP itself right after the closing handshake instead of waiting for the server.");
                break;
            case ProbeResult.Data:
                Assert.Fail($"{Describe()}: the Duplex client sent data after its close frame.");
                break;
        }

        Peer.CloseTcp();
        Exception? agentError = await _agent!.Within("the Duplex client's echo loop to end after the server closed TCP", TimeSpan.FromSeconds(10));
        if (agentError is not null)
        {
            Assert.Fail($"{Describe()}: the echo loop failed: {agentError}");
        }
    }

    private string Describe() => $"{Side}, case {CaseId} (offer '{Offer}', answer '{Answer}')";

    private string DescribeReceive() => string.Create(CultureInfo.InvariantCulture, $"a window of 2^{_receiveWindowBits}{(_receiveNoContextTakeover ? ", a fresh inflater per message (no context takeover)" : ", context taken over")}");

    private static CompressionAgreement ParseAnswer(string where, string answer)
    {
        try
        {
            return CompressionAgreement.Parse(answer);
        }
        catch (FormatException ex)
        {
            Assert.Fail($"{where}: the answer 'Sec-WebSocket-Extensions: {answer}' is not acceptable: {ex.Message}");
            throw;
        }
    }

    /// <summary>A header's value in an HTTP head; several lines of it are joined with ", " (RFC 9110 §5.3).</summary>
    private static string? HeaderValue(string head, string name)
    {
        string[] values = head.Split("\r\n")
            .Skip(1)
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2 && parts[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            .Select(parts => parts[1].Trim())
            .ToArray();
        return values.Length == 0 ? null : string.Join(", ", values);
    }

    private static string AcceptKey(string key)
    {
        // RFC 6455 §4.2.2 names SHA-1 for this proof of handshake; it is not used for security.
#pragma warning disable CA5350
        return Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
    }

    public async ValueTask DisposeAsync()
    {
        await Peer.DisposeAsync();
        _client?.Abort();
        if (_agent is not null)
        {
            await _agent.WaitAsync(Bounded.Default);
        }

        _deflater.Dispose();
        _inflater.Dispose();
        if (_listener is not null)
        {
            _listener.Stop();
            _listener.Dispose();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
