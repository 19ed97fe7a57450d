using System.Buffers;
using Duplex.Protocol.Frames;

namespace Duplex.Protocol.Tests.Connection;

/// <summary>A frame the protocol wrote, read back with the frame header codec and unmasked, for assertions on what went out.</summary>
internal sealed record SentFrame(FrameHeader Header, byte[] Payload, int Length)
{
    /// <summary>Reads the frame at the start of <paramref name="bytes"/>; it must be whole.</summary>
    public static SentFrame Read(ReadOnlySpan<byte> bytes)
    {
        Assert.Equal(OperationStatus.Done, FrameHeaderReader.TryRead(bytes, out FrameHeader header, out int headerSize));
        int length = headerSize + (int)header.PayloadLength;
        Assert.True(bytes.Length >= length, $"The frame announces {length} bytes; {bytes.Length} were written.");
        byte[] payload = bytes.Slice(headerSize, (int)header.PayloadLength).ToArray();
        if (header.Masked)
        {
            Masking.Apply(payload, payload, header.MaskKey, 0);
        }

        return new SentFrame(header, payload, length);
    }

    /// <summary>Reads every frame in <paramref name="bytes"/>, which must end at a frame's end.</summary>
    public static List<SentFrame> ReadAll(ReadOnlySpan<byte> bytes)
    {
        var frames = new List<SentFrame>();
        while (!bytes.IsEmpty)
        {
            SentFrame frame = Read(bytes);
            frames.Add(frame);
            bytes = bytes[frame.Length..];
        }

        return frames;
    }
}
