using System.Buffers;
using System.Text;
using Duplex.Realtime.Protocol;

namespace Duplex.Realtime.Channels;

/// <summary>
/// The server's channel envelopes (docs/PROTOCOL.md §10, server → client) as the JSON objects
/// of their channel fields; <see cref="EnvelopeJsonWriter"/> puts <c>t</c> and <c>s</c> before them.
/// A publication's object is built once and shared by every subscriber.
/// </summary>
internal static class ChannelWire
{
    public static byte[] Publication(string channel, string epoch, ChannelPublication publication)
    {
        var output = new ArrayBufferWriter<byte>(64 + publication.Payload.Length);
        Raw(output, "{\"op\":\"p\""u8);
        Channel(output, channel);
        Epoch(output, epoch);
        Field(output, "q"u8, publication.Sequence);
        Payload(output, publication.Type, publication.Payload.Span);
        if (publication.Publisher is not null)
        {
            Raw(output, ",\"from\":"u8);
            Text(output, publication.Publisher);
        }

        return Close(output);
    }

    public static byte[] Subscribed(long requestId, string channel, SubscribePlan plan, IReadOnlyList<ChannelMember> members)
    {
        var output = new ArrayBufferWriter<byte>(128);
        Raw(output, "{\"op\":\"subscribed\""u8);
        Field(output, "r"u8, requestId);
        Channel(output, channel);
        Epoch(output, plan.Epoch);
        Field(output, "q"u8, plan.Latest);
        Raw(output, ",\"result\":\""u8);
        Raw(output, plan.Result switch
        {
            SubscribeResult.Resumed => "resumed"u8,
            SubscribeResult.Gap => "gap"u8,
            SubscribeResult.Reset => "reset"u8,
            _ => "new"u8,
        });
        Raw(output, "\""u8);
        if (plan.Result == SubscribeResult.Gap)
        {
            Missing(output, plan.MissingFirst, plan.MissingLast);
        }

        Raw(output, ",\"presence\":"u8);
        Members(output, members);
        return Close(output);
    }

    public static byte[] Acknowledged(long requestId, string channel, string epoch, long sequence)
    {
        var output = new ArrayBufferWriter<byte>(96);
        Raw(output, "{\"op\":\"ack\""u8);
        Field(output, "r"u8, requestId);
        Channel(output, channel);
        Epoch(output, epoch);
        Field(output, "q"u8, sequence);
        return Close(output);
    }

    public static byte[] Ok(long requestId, string channel)
    {
        var output = new ArrayBufferWriter<byte>(64);
        Raw(output, "{\"op\":\"ok\""u8);
        Field(output, "r"u8, requestId);
        Channel(output, channel);
        return Close(output);
    }

    public static byte[] Presence(long requestId, string channel, IReadOnlyList<ChannelMember> members)
    {
        var output = new ArrayBufferWriter<byte>(128);
        Raw(output, "{\"op\":\"presence\""u8);
        Field(output, "r"u8, requestId);
        Channel(output, channel);
        Raw(output, ",\"members\":"u8);
        Members(output, members);
        return Close(output);
    }

    public static byte[] Joined(string channel, ChannelMember member, bool joined)
    {
        var output = new ArrayBufferWriter<byte>(96);
        Raw(output, joined ? "{\"op\":\"join\""u8 : "{\"op\":\"leave\""u8);
        Channel(output, channel);
        Raw(output, ",\"id\":"u8);
        Text(output, member.Id);
        if (joined && member.Info is not null)
        {
            Raw(output, ",\"info\":"u8);
            Raw(output, Encoding.UTF8.GetBytes(member.Info));
        }

        return Close(output);
    }

    public static byte[] Gap(string channel, string epoch, long first, long last)
    {
        var output = new ArrayBufferWriter<byte>(96);
        Raw(output, "{\"op\":\"gap\""u8);
        Channel(output, channel);
        Epoch(output, epoch);
        Missing(output, first, last);
        return Close(output);
    }

    public static byte[] Refused(long requestId, string channel, string error, string message)
    {
        var output = new ArrayBufferWriter<byte>(128);
        Raw(output, "{\"op\":\"refused\""u8);
        Field(output, "r"u8, requestId);
        Raw(output, ",\"ch\":"u8);

        // The name may be invalid (that may be why it is refused): written as any JSON string.
        Text(output, channel);
        Raw(output, ",\"error\":"u8);
        Text(output, error);
        Raw(output, ",\"message\":"u8);
        Text(output, message);
        return Close(output);
    }

    public static byte[] Unsubscribed(string channel, string reason)
    {
        var output = new ArrayBufferWriter<byte>(96);
        Raw(output, "{\"op\":\"unsubscribed\""u8);
        Channel(output, channel);
        Raw(output, ",\"reason\":"u8);
        Text(output, reason);
        return Close(output);
    }

    private static void Members(ArrayBufferWriter<byte> output, IReadOnlyList<ChannelMember> members)
    {
        Raw(output, "["u8);
        for (int i = 0; i < members.Count; i++)
        {
            Raw(output, i == 0 ? "{\"id\":"u8 : ",{\"id\":"u8);
            Text(output, members[i].Id);
            if (members[i].Info is { } info)
            {
                Raw(output, ",\"info\":"u8);
                Raw(output, Encoding.UTF8.GetBytes(info));
            }

            Raw(output, "}"u8);
        }

        Raw(output, "]"u8);
    }

    private static void Missing(ArrayBufferWriter<byte> output, long first, long last)
    {
        Raw(output, ",\"missing\":["u8);
        EnvelopeJsonWriter.Number(output, first);
        Raw(output, ","u8);
        EnvelopeJsonWriter.Number(output, last);
        Raw(output, "]"u8);
    }

    private static void Payload(ArrayBufferWriter<byte> output, MessageType type, ReadOnlySpan<byte> payload)
    {
        if (type == MessageType.Text)
        {
            Raw(output, ",\"d\":"u8);
            EnvelopeJsonWriter.String(output, payload);
        }
        else
        {
            Raw(output, ",\"b\":\""u8);
            EnvelopeJsonWriter.Base64Payload(output, payload);
            Raw(output, "\""u8);
        }
    }

    private static void Channel(ArrayBufferWriter<byte> output, string channel)
    {
        Raw(output, ",\"ch\":"u8);
        Text(output, channel);
    }

    private static void Epoch(ArrayBufferWriter<byte> output, string epoch)
    {
        Raw(output, ",\"e\":"u8);
        Text(output, epoch);
    }

    private static void Field(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> name, long value)
    {
        Raw(output, ",\""u8);
        Raw(output, name);
        Raw(output, "\":"u8);
        EnvelopeJsonWriter.Number(output, value);
    }

    private static void Text(ArrayBufferWriter<byte> output, string text) => EnvelopeJsonWriter.String(output, Encoding.UTF8.GetBytes(text));

    private static void Raw(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => EnvelopeJsonWriter.Raw(output, bytes);

    private static byte[] Close(ArrayBufferWriter<byte> output)
    {
        Raw(output, "}"u8);
        return output.WrittenSpan.ToArray();
    }
}
