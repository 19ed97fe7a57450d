using System.Buffers;
using System.Numerics;
using System.Text;
using CsCheck;
using Duplex.Protocol.Closing;
using Duplex.Protocol.Frames;

namespace Duplex.Protocol.Tests.Connection;

/// <summary>
/// Random client-to-server traffic for property tests: text and binary messages cut into random
/// fragments (empty ones included) with pings and pongs between the fragments, lone control
/// frames, and sometimes a closing close frame followed by bytes that must be ignored. Every frame is
/// masked with its own random key by <see cref="FrameWriter"/>.
/// </summary>
/// <param name="Wire">The bytes on the wire.</param>
/// <param name="Expected">What a server-role receiver must report for them, in order.</param>
internal sealed record Conversation(byte[] Wire, Received[] Expected)
{
    private static readonly Gen<byte[]> TextFromStrings = Gen.String[0, 40].Select(s => Encoding.UTF8.GetBytes(s));

    // Code points of every UTF-8 length, so fragments cut 2-, 3- and 4-byte sequences.
    private static readonly Gen<byte[]> TextFromCodePoints =
        Gen.Int[0, 0x10FFFF].Where(Rune.IsValid).Select(c => new Rune(c)).Array[0, 12]
            .Select(runes => Encoding.UTF8.GetBytes(string.Concat(runes.Select(r => r.ToString()))));

    private static readonly Gen<(Opcode Opcode, byte[] Payload)> Payloads = Gen.OneOf(
        Gen.OneOf(TextFromStrings, TextFromCodePoints).Select(b => (Opcode.Text, b)),
        Gen.Byte.Array[0, 60].Select(b => (Opcode.Binary, b)));

    private static readonly Gen<Action<ArrayBufferWriter<byte>, List<Received>>> Messages =
        Gen.Select(Payloads, Gen.Int[0, 1000].Array[0, 5], Gen.Int[0, 63], Gen.Byte.Array[0, 12], Gen.UInt)
            .Select<(Opcode, byte[]), int[], int, byte[], uint, Action<ArrayBufferWriter<byte>, List<Received>>>(
                (message, cuts, controlMask, controlPayload, key) => (wire, expected) =>
                    WriteMessage(wire, expected, message.Item1, message.Item2, cuts, controlMask, controlPayload, key));

    private static readonly Gen<Action<ArrayBufferWriter<byte>, List<Received>>> LoneControlFrames =
        Gen.Select(Gen.Bool, Gen.Byte.Array[0, 125], Gen.UInt)
            .Select<bool, byte[], uint, Action<ArrayBufferWriter<byte>, List<Received>>>(
                (ping, payload, key) => (wire, expected) => WriteControl(wire, expected, ping, payload, key));

    private static readonly ushort[] SendableCodes = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999];

    // null: no close; otherwise the code (0 for an empty close body) and the reason.
    private static readonly Gen<(bool Close, ushort Code, string Reason, uint Key)> Closes =
        Gen.Select(Gen.Int[0, 3], Gen.OneOfConst(SendableCodes.Prepend((ushort)0).ToArray()), Gen.String[0, 20], Gen.UInt)
            .Select((n, code, reason, key) => (n == 0, code, reason, key));

    /// <summary>Conversations of up to <paramref name="maxSteps"/> messages and control frames.</summary>
    public static Gen<Conversation> Generate(int maxSteps) =>
        Gen.Select(Gen.Frequency((4, Messages), (1, LoneControlFrames)).Array[0, maxSteps], Closes)
            .Select((steps, close) =>
            {
                var wire = new ArrayBufferWriter<byte>();
                var expected = new List<Received>();
                foreach (var step in steps)
                {
                    step(wire, expected);
                }

                if (close.Close)
                {
                    WriteClose(wire, expected, close.Code, close.Reason, close.Key);
                }

                return new Conversation(wire.WrittenSpan.ToArray(), [.. expected]);
            });

    public override string ToString() => $"Wire {Convert.ToHexString(Wire)}; expected {string.Join(", ", Expected.Select(e => e.ToString()))}";

    private static uint FrameKey(uint key, int index) => BitOperations.RotateLeft(key, index * 7) ^ (uint)(index * 0x9E3779B9u);

    private static void WriteMessage(
        ArrayBufferWriter<byte> wire, List<Received> expected, Opcode opcode, byte[] payload, int[] cuts, int controlMask, byte[] controlPayload, uint key)
    {
        // Fragment boundaries: 0, the cuts (possibly equal, giving empty fragments), the length.
        int[] bounds = [0, .. cuts.Select(c => c % (payload.Length + 1)).Order(), payload.Length];
        int fragments = bounds.Length - 1;
        for (int i = 0; i < fragments; i++)
        {
            bool last = i == fragments - 1;
            FrameWriter.Write(
                wire, i == 0 ? opcode : Opcode.Continuation, last, payload.AsSpan(bounds[i]..bounds[i + 1]), FrameKey(key, i));
            if (!last && (controlMask & (1 << i)) != 0)
            {
                WriteControl(wire, expected, ping: ((key >> i) & 1) == 0, controlPayload, FrameKey(~key, i));
            }
        }

        expected.Add(Received.Message(opcode, payload));
    }

    private static void WriteControl(ArrayBufferWriter<byte> wire, List<Received> expected, bool ping, byte[] payload, uint key)
    {
        FrameWriter.Write(wire, ping ? Opcode.Ping : Opcode.Pong, fin: true, payload, key);
        expected.Add(ping ? Received.Ping(payload) : Received.Pong(payload));
    }

    private static void WriteClose(ArrayBufferWriter<byte> wire, List<Received> expected, ushort code, string reason, uint key)
    {
        byte[] body = new byte[FrameHeader.MaxControlPayload];
        int length = code == 0 ? 0 : ClosePayload.Write(body, code, reason);
        FrameWriter.Write(wire, Opcode.Close, fin: true, body.AsSpan(0, length), key);
        expected.Add(code == 0
            ? Received.Close(null, string.Empty)
            : Received.Close(code, Encoding.UTF8.GetString(body, 2, length - 2)));

        // RFC 6455 §5.5.1: nothing after a close frame is processed, not even an unmasked frame
        // with a reserved opcode that would otherwise fail the connection.
        wire.Write(Hex.Bytes("83 05 48 65 6c 6c 6f 81 05 48 65 6c 6c 6f"));
    }
}
