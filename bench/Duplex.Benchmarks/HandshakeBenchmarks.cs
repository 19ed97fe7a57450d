using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Duplex.Protocol.Handshake;
using Duplex.Protocol.Http;

namespace Duplex.Benchmarks;

/// <summary>
/// The server's side of the opening handshake for a typical browser upgrade request (about 500
/// bytes: Origin, User-Agent, Sec-WebSocket-Extensions, Cookie): parsing the head
/// (<see cref="HttpHeadParser.TryParseRequest"/>), checking it (<see cref="ServerHandshake.Validate"/>),
/// writing the 101 (<see cref="ServerHandshake.WriteAccept"/>) into a reused buffer writer, and
/// all three together. This runs once per connection, so it may allocate; the table shows how much.
/// </summary>
[MemoryDiagnoser]
public class HandshakeBenchmarks
{
    private const string Request =
        "GET /chat?room=lobby HTTP/1.1\r\n" +
        "Host: example.com:8080\r\n" +
        "Connection: Upgrade\r\n" +
        "Pragma: no-cache\r\n" +
        "Cache-Control: no-cache\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n" +
        "Upgrade: websocket\r\n" +
        "Origin: https://example.com\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
        "Accept-Language: en-US,en;q=0.9\r\n" +
        "Cookie: session=3f9a1c0b7e2d4a6f8b1c; theme=dark\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" +
        "\r\n";

    private readonly byte[] _request = Encoding.ASCII.GetBytes(Request);
    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private HttpRequestHead _parsed = null!;
    private string _key = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _parsed = Parse();
        if (ServerHandshake.Validate(_parsed, out ServerHandshakeRequest? accepted) != HandshakeRejection.None)
        {
            throw new InvalidOperationException("The sample request is not a valid upgrade.");
        }

        _key = accepted!.Key;
        if (Full() < 100)
        {
            throw new InvalidOperationException("No 101 response was written.");
        }
    }

    [Benchmark]
    public HttpRequestHead Parse()
    {
        OperationStatus status = HttpHeadParser.TryParseRequest(_request, HttpLimits.Default, out HttpRequestHead? head, out _, out _);
        return status == OperationStatus.Done ? head! : throw new InvalidOperationException(status.ToString());
    }

    [Benchmark]
    public ServerHandshakeRequest? Validate()
    {
        ServerHandshake.Validate(_parsed, out ServerHandshakeRequest? accepted);
        return accepted;
    }

    [Benchmark]
    public int WriteAccept()
    {
        _output.ResetWrittenCount();
        ServerHandshake.WriteAccept(_output, _key, subProtocol: null, extensions: "permessage-deflate");
        return _output.WrittenCount;
    }

    [Benchmark]
    public int Full()
    {
        HttpRequestHead head = Parse();
        ServerHandshake.Validate(head, out ServerHandshakeRequest? accepted);
        _output.ResetWrittenCount();
        ServerHandshake.WriteAccept(_output, accepted!.Key, subProtocol: null, extensions: "permessage-deflate");
        return _output.WrittenCount;
    }
}
