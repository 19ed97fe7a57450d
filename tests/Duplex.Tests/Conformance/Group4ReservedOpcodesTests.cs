namespace Duplex.Tests.Conformance;

/// <summary>
/// Autobahn group 4, reserved opcodes: a frame with a reserved non-control (3-7) or control
/// (B-F) opcode, empty or not, fails the connection with 1002 at once. Where a valid text
/// message goes first, its echo arrives before the close, and the ping after the bad frame
/// gets no pong.
/// </summary>
public class Group4ReservedOpcodesTests : ConformanceTestBase
{
    private static readonly byte[] Hello = Utf8("Hello, world!");

    private async Task AloneAsync(int opcode, byte[] payload)
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(opcode, payload);
        await run.ExpectFailureAsync(ProtocolError, None);
    }

    private async Task AfterTextAsync(int opcode, byte[] payload, int? chop = null)
    {
        await using CaseRun run = await StartAsync();
        if (chop is null)
        {
            await run.Peer.SendAsync(run.Peer.Frame(TextOp, Hello), run.Peer.Frame(opcode, payload), run.Peer.Frame(PingOp, []));
        }
        else
        {
            await run.Peer.SendFrameAsync(TextOp, Hello, chop: chop);
            await run.Peer.SendFrameAsync(opcode, payload, chop: chop);
            await run.Peer.SendFrameAsync(PingOp, [], chop: chop);
        }

        await run.ExpectFailureAsync(ProtocolError, [WireEvent.Text(Hello)]);
    }

    [Fact]
    public Task Case_4_1_1_reserved_opcode_3_fails_with_1002() => AloneAsync(3, []);

    [Fact]
    public Task Case_4_1_2_reserved_opcode_4_with_payload_fails_with_1002() => AloneAsync(4, Utf8("reserved opcode payload"));

    [Fact]
    public Task Case_4_1_3_text_then_reserved_opcode_5_echoes_text_then_fails_with_1002() => AfterTextAsync(5, []);

    [Fact]
    public Task Case_4_1_4_text_then_reserved_opcode_6_with_payload_echoes_text_then_fails_with_1002() => AfterTextAsync(6, Hello);

    [Fact]
    public Task Case_4_1_5_reserved_opcode_7_sent_byte_by_byte_echoes_text_then_fails_with_1002() => AfterTextAsync(7, Hello, chop: 1);

    [Fact]
    public Task Case_4_2_1_reserved_control_opcode_B_fails_with_1002() => AloneAsync(0xB, []);

    [Fact]
    public Task Case_4_2_2_reserved_control_opcode_C_with_payload_fails_with_1002() => AloneAsync(0xC, Utf8("reserved opcode payload"));

    [Fact]
    public Task Case_4_2_3_text_then_reserved_control_opcode_D_echoes_text_then_fails_with_1002() => AfterTextAsync(0xD, []);

    [Fact]
    public Task Case_4_2_4_text_then_reserved_control_opcode_E_with_payload_echoes_text_then_fails_with_1002() => AfterTextAsync(0xE, Hello);

    [Fact]
    public Task Case_4_2_5_reserved_control_opcode_F_sent_byte_by_byte_echoes_text_then_fails_with_1002() => AfterTextAsync(0xF, Hello, chop: 1);
}
