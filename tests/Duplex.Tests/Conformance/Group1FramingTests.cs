namespace Duplex.Tests.Conformance;

/// <summary>
/// Autobahn group 1, framing: text (1.1.x) and binary (1.2.x) messages whose lengths sit on
/// either side of the 7-bit, 16-bit and 64-bit length encodings, and one sent in 997-byte chops.
/// Each must come back as one message of the same type with the same bytes, and the closing
/// handshake that follows must be clean with 1000.
/// </summary>
public class Group1FramingTests : ConformanceTestBase
{
    private async Task EchoAsync(int opcode, int length, int? chop = null)
    {
        // Autobahn fills text with '*' and binary with 0xFE.
        byte[] payload = Repeat(opcode == TextOp ? (byte)'*' : (byte)0xFE, length);
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(opcode, payload, chop: chop);
        await run.EchoThenCloseAsync(opcode == TextOp ? WireEvent.Text(payload) : WireEvent.Binary(payload));
    }

    [Fact]
    public Task Case_1_1_1_text_of_length_0_is_echoed() => EchoAsync(TextOp, 0);

    [Fact]
    public Task Case_1_1_2_text_of_length_125_is_echoed() => EchoAsync(TextOp, 125);

    [Fact]
    public Task Case_1_1_3_text_of_length_126_is_echoed() => EchoAsync(TextOp, 126);

    [Fact]
    public Task Case_1_1_4_text_of_length_127_is_echoed() => EchoAsync(TextOp, 127);

    [Fact]
    public Task Case_1_1_5_text_of_length_128_is_echoed() => EchoAsync(TextOp, 128);

    [Fact]
    public Task Case_1_1_6_text_of_length_65535_is_echoed() => EchoAsync(TextOp, 65535);

    [Fact]
    public Task Case_1_1_7_text_of_length_65536_is_echoed() => EchoAsync(TextOp, 65536);

    [Fact]
    public Task Case_1_1_8_text_of_length_65536_sent_in_997_byte_chops_is_echoed() => EchoAsync(TextOp, 65536, chop: 997);

    [Fact]
    public Task Case_1_2_1_binary_of_length_0_is_echoed() => EchoAsync(BinaryOp, 0);

    [Fact]
    public Task Case_1_2_2_binary_of_length_125_is_echoed() => EchoAsync(BinaryOp, 125);

    [Fact]
    public Task Case_1_2_3_binary_of_length_126_is_echoed() => EchoAsync(BinaryOp, 126);

    [Fact]
    public Task Case_1_2_4_binary_of_length_127_is_echoed() => EchoAsync(BinaryOp, 127);

    [Fact]
    public Task Case_1_2_5_binary_of_length_128_is_echoed() => EchoAsync(BinaryOp, 128);

    [Fact]
    public Task Case_1_2_6_binary_of_length_65535_is_echoed() => EchoAsync(BinaryOp, 65535);

    [Fact]
    public Task Case_1_2_7_binary_of_length_65536_is_echoed() => EchoAsync(BinaryOp, 65536);

    [Fact]
    public Task Case_1_2_8_binary_of_length_65536_sent_in_997_byte_chops_is_echoed() => EchoAsync(BinaryOp, 65536, chop: 997);
}
