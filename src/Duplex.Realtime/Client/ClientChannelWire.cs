using System.Buffers;
using System.Text;
using Duplex.Realtime.Channels;
using Duplex.Realtime.Protocol;

namespace Duplex.Realtime.Client;

/// <summary>The client's channel requests (docs/PROTOCOL.md §10, client → server) as the JSON objects of their channel fields.</summary>
internal static class ClientChannelWire
{
    public static byte[] Subscribe(long requestId, string channel, ChannelCursor? from, int? history, byte[]? info)
    {
        var output = Start("sub", requestId, channel);
        if (from is { } cursor)
        {
            Raw(output, ",\"from\":{\"e\":"u8);
            Text(output, cursor.Epoch);
            Raw(output, ",\"q\":"u8);
            EnvelopeJsonWriter.Number(output, cursor.Sequence);
            Raw(output, "}"u8);
        }

        if (history is { } hist)
        {
            Raw(output, ",\"hist\":"u8);
            EnvelopeJsonWriter.Number(output, hist);
        }

        if (info is not null)
        {
            Raw(output, ",\"info\":"u8);
            Raw(output, info);
        }

        return Close(output);
    }

    public static byte[] Publish(long requestId, string channel, string key, MessageType type, ReadOnlySpan<byte> data)
    {
        var output = Start("pub", requestId, channel);
        Raw(output, ",\"k\":"u8);
        Text(output, key);
        if (type == MessageType.Text)
        {
            Raw(output, ",\"d\":"u8);
            EnvelopeJsonWriter.String(output, data);
        }
        else
        {
            Raw(output, ",\"b\":\""u8);
            EnvelopeJsonWriter.Base64Payload(output, data);
            Raw(output, "\""u8);
        }

        return Close(output);
    }

    public static byte[] Unsubscribe(long requestId, string channel) => Close(Start("unsub", requestId, channel));

    public static byte[] Presence(long requestId, string channel) => Close(Start("presence", requestId, channel));

    private static ArrayBufferWriter<byte> Start(string op, long requestId, string channel)
    {
        var output = new ArrayBufferWriter<byte>(128);
        Raw(output, "{\"op\":"u8);
        Text(output, op);
        Raw(output, ",\"r\":"u8);
        EnvelopeJsonWriter.Number(output, requestId);
        Raw(output, ",\"ch\":"u8);
        Text(output, channel);
        return output;
    }

    private static void Text(ArrayBufferWriter<byte> output, string text) => EnvelopeJsonWriter.String(output, Encoding.UTF8.GetBytes(text));

    private static void Raw(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => EnvelopeJsonWriter.Raw(output, bytes);

    private static byte[] Close(ArrayBufferWriter<byte> output)
    {
        Raw(output, "}"u8);
        return output.WrittenSpan.ToArray();
    }
}
