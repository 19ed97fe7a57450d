using System.Buffers;
using System.Text;
using Duplex.Protocol.Handshake;
using Duplex.Protocol.Http;
using Duplex.Protocol.Tests.Http;

namespace Duplex.Protocol.Tests.Handshake;

public class ServerHandshakeResponseTests
{
    [Fact]
    public void Accept_for_the_RFC_6455_example_is_the_RFC_response()
    {
        var output = new ArrayBufferWriter<byte>();
        ServerHandshake.WriteAccept(output, HandshakeRequests.Key, "chat");
        Assert.Equal(
            "HTTP/1.1 101 Switching Protocols\r\n" +
            "Upgrade: websocket\r\n" +
            "Connection: Upgrade\r\n" +
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
            "Sec-WebSocket-Protocol: chat\r\n" +
            "\r\n",
            HttpBytes.Text(output));
    }

    [Fact]
    public void Accept_without_subprotocol_has_no_protocol_field()
    {
        var output = new ArrayBufferWriter<byte>();
        ServerHandshake.WriteAccept(output, HandshakeRequests.Key, subProtocol: null);
        HttpResponseHead head = HttpBytes.Response(output.WrittenSpan);
        Assert.False(head.Headers.Contains("Sec-WebSocket-Protocol"));
        Assert.False(head.Headers.Contains("Content-Length"));
        Assert.Equal(3, head.Headers.Count);
    }

    [Fact]
    public void Accept_writes_extensions_then_extra_headers()
    {
        var output = new ArrayBufferWriter<byte>();
        ServerHandshake.WriteAccept(output, HandshakeRequests.Key, null, "permessage-deflate", [new("Set-Cookie", "s=1")]);
        HttpResponseHead head = HttpBytes.Response(output.WrittenSpan);
        Assert.Equal(
            ["Upgrade", "Connection", "Sec-WebSocket-Accept", "Sec-WebSocket-Extensions", "Set-Cookie"],
            head.Headers.Select(f => f.Key));
        Assert.Equal("permessage-deflate", head.Headers["Sec-WebSocket-Extensions"]);
    }

    [Theory]
    [InlineData("Upgrade")]
    [InlineData("connection")]
    [InlineData("Sec-WebSocket-Accept")]
    [InlineData("Sec-WebSocket-Protocol")]
    [InlineData("Content-Length")]
    public void Extra_header_cannot_override_a_handshake_header(string name)
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => ServerHandshake.WriteAccept(output, HandshakeRequests.Key, null, null, [new(name, "x")]));
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData("chat, superchat")]
    [InlineData("chat\r\nX-Evil: 1")]
    [InlineData("")]
    public void Selected_subprotocol_must_be_one_token(string subProtocol)
    {
        Assert.Throws<ArgumentException>(() => ServerHandshake.WriteAccept(new ArrayBufferWriter<byte>(), HandshakeRequests.Key, subProtocol));
    }

    [Fact]
    public void Validated_request_answered_and_checked_by_the_client_succeeds()
    {
        HttpRequestHead request = HandshakeRequests.Parse(HandshakeRequests.Rfc6455Example);
        ServerHandshake.Validate(request, out ServerHandshakeRequest? accepted);
        string? selected = ServerHandshake.SelectSubProtocol(accepted!.OfferedSubProtocols, ["superchat", "chat"]);
        var output = new ArrayBufferWriter<byte>();
        ServerHandshake.WriteAccept(output, accepted.Key, selected);

        ClientHandshakeResult result = ClientHandshake.ValidateResponse(
            HttpBytes.Response(output.WrittenSpan),
            new ClientHandshakeRequest(accepted.Key, ["chat", "superchat"], null));
        Assert.True(result.Success, result.Error);
        Assert.Equal("chat", result.SubProtocol);
    }

    [Fact]
    public void Client_preference_decides_the_subprotocol()
    {
        Assert.Equal("chat", ServerHandshake.SelectSubProtocol(["chat", "superchat"], ["superchat", "chat"]));
        Assert.Equal("superchat", ServerHandshake.SelectSubProtocol(["v2.proto", "superchat"], ["superchat", "chat"]));
    }

    [Fact]
    public void No_common_subprotocol_selects_none()
    {
        Assert.Null(ServerHandshake.SelectSubProtocol(["a", "b"], ["c"]));
        Assert.Null(ServerHandshake.SelectSubProtocol([], ["c"]));
        Assert.Null(ServerHandshake.SelectSubProtocol(["a"], []));
    }

    [Fact]
    public void Subprotocol_names_are_case_sensitive()
    {
        // RFC 6455 §11.3.4: subprotocol names are compared case-sensitively.
        Assert.Null(ServerHandshake.SelectSubProtocol(["Chat"], ["chat"]));
    }

    [Fact]
    public void Unsupported_version_rejection_is_426_with_the_supported_version()
    {
        // RFC 6455 §4.4: answer with 426 and the versions the server supports.
        var output = new ArrayBufferWriter<byte>();
        ServerHandshake.WriteRejection(output, HandshakeRejection.UnsupportedVersion);
        HttpResponseHead head = ParseWithBody(output, out string body);
        Assert.Equal(426, head.StatusCode);
        Assert.Equal("Upgrade Required", head.ReasonPhrase);
        Assert.Equal("13", head.Headers["Sec-WebSocket-Version"]);
        Assert.Equal("close", head.Headers["Connection"]);
        Assert.Equal(ServerHandshake.Describe(HandshakeRejection.UnsupportedVersion) + "\n", body);
    }

    [Theory]
    [InlineData(HandshakeRejection.MethodNotGet)]
    [InlineData(HandshakeRejection.HttpVersionTooOld)]
    [InlineData(HandshakeRejection.MissingHost)]
    [InlineData(HandshakeRejection.MultipleHosts)]
    [InlineData(HandshakeRejection.MissingUpgrade)]
    [InlineData(HandshakeRejection.MissingConnectionUpgrade)]
    [InlineData(HandshakeRejection.MissingKey)]
    [InlineData(HandshakeRejection.MultipleKeys)]
    [InlineData(HandshakeRejection.InvalidKey)]
    public void Malformed_handshake_rejection_is_400_with_a_reason_and_close(HandshakeRejection rejection)
    {
        var output = new ArrayBufferWriter<byte>();
        ServerHandshake.WriteRejection(output, rejection);
        HttpResponseHead head = ParseWithBody(output, out string body);
        Assert.Equal(400, head.StatusCode);
        Assert.Equal("Bad Request", head.ReasonPhrase);
        Assert.False(head.Headers.Contains("Sec-WebSocket-Version"));
        Assert.Equal("close", head.Headers["Connection"]);
        Assert.Equal("text/plain; charset=utf-8", head.Headers["Content-Type"]);
        Assert.Equal(ServerHandshake.Describe(rejection) + "\n", body);
    }

    [Fact]
    public void None_cannot_be_written_as_a_rejection()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ServerHandshake.WriteRejection(new ArrayBufferWriter<byte>(), HandshakeRejection.None));
    }

    private static HttpResponseHead ParseWithBody(ArrayBufferWriter<byte> output, out string body)
    {
        Assert.Equal(
            OperationStatus.Done,
            HttpHeadParser.TryParseResponse(output.WrittenSpan, HttpLimits.Default, out HttpResponseHead? head, out int consumed, out _));
        body = Encoding.UTF8.GetString(output.WrittenSpan[consumed..]);
        Assert.Equal(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), head!.Headers["Content-Length"]);
        return head;
    }
}
