using System.Buffers;
using Duplex.Protocol.Extensions;

namespace Duplex.Protocol.Tests.Extensions;

/// <summary>Drives a <see cref="MessageDeflater"/> and a <see cref="MessageInflater"/> the way a sender and a receiver would.</summary>
internal static class Deflate
{
    /// <summary>Compresses one whole message into a new array.</summary>
    public static byte[] Compress(MessageDeflater deflater, ReadOnlySpan<byte> message)
    {
        var output = new ArrayBufferWriter<byte>();
        deflater.Compress(message, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Compresses one message given in pieces; returns each piece's output (one frame each).</summary>
    public static List<byte[]> CompressInPieces(MessageDeflater deflater, byte[] message, int[] pieceSizes)
    {
        var frames = new List<byte[]>();
        int at = 0;
        int i = 0;
        while (true)
        {
            int size = Math.Min(pieceSizes[i++ % pieceSizes.Length], message.Length - at);
            bool last = at + size == message.Length;
            var output = new ArrayBufferWriter<byte>();
            deflater.CompressChunk(message.AsSpan(at, size), output, last);
            frames.Add(output.WrittenSpan.ToArray());
            at += size;
            if (last)
            {
                return frames;
            }
        }
    }

    /// <summary>Inflates one message's payload in one go, with plenty of room.</summary>
    public static byte[] Inflate(MessageInflater inflater, ReadOnlySpan<byte> payload) =>
        Inflate(inflater, payload.ToArray(), [Math.Max(1, payload.Length)], 64 * 1024);

    /// <summary>Inflates one message's payload fed in pieces of the given sizes, into output spans of the given size.</summary>
    public static byte[] Inflate(MessageInflater inflater, byte[] payload, int[] inputPieces, int outputSize)
    {
        var result = new List<byte>();
        byte[] output = new byte[outputSize];
        int at = 0;
        int piece = 0;
        while (at < payload.Length)
        {
            int size = Math.Min(inputPieces[piece++ % inputPieces.Length], payload.Length - at);
            ReadOnlySpan<byte> input = payload.AsSpan(at, size);
            while (true)
            {
                OperationStatus status = inflater.Inflate(input, output, out int consumed, out int written);
                Assert.NotEqual(OperationStatus.InvalidData, status);
                Assert.NotEqual(OperationStatus.NeedMoreData, status);
                result.AddRange(output.AsSpan(0, written));
                input = input[consumed..];
                if (status == OperationStatus.Done)
                {
                    Assert.True(input.IsEmpty);
                    break;
                }
            }

            at += size;
        }

        while (true)
        {
            OperationStatus status = inflater.Finish(output, out int written);
            Assert.NotEqual(OperationStatus.InvalidData, status);
            result.AddRange(output.AsSpan(0, written));
            if (status == OperationStatus.Done)
            {
                return [.. result];
            }
        }
    }
}
