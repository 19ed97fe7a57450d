using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Duplex.Cli.Compare.Server;

/// <summary>The server's messages of the compare workload (docs/PROTOCOL.md §12), written as UTF-8 JSON in the order the document gives their fields.</summary>
internal static class CompareMessages
{
    // Strings are written as they are where JSON allows it (no \u escapes of non-ASCII): a message's size is what its text is.
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // The padding: 'x' repeated, sliced to the size asked for (one byte a character in UTF-8 and in JSON).
    private static readonly byte[] s_padding = CreatePadding();

    /// <summary><c>{"k":"hello","run":ID,"client":I,"members":N}</c>.</summary>
    public static byte[] Hello(string run, long client, int members) => Write(json =>
    {
        json.WriteString("k", "hello");
        json.WriteString("run", run);
        json.WriteNumber("client", client);
        json.WriteNumber("members", members);
    });

    /// <summary><c>{"k":"memory","heap":B}</c>: B bytes of managed heap live after a full collection.</summary>
    public static byte[] Memory(long heap) => Write(json =>
    {
        json.WriteString("k", "memory");
        json.WriteNumber("heap", heap);
    });

    /// <summary><c>{"k":"pong","c":T,"s":S}</c>, T echoed as it came.</summary>
    public static byte[] Pong(byte[] clientTime, long serverTime) => Write(json =>
    {
        json.WriteString("k", "pong");
        json.WritePropertyName("c");
        json.WriteRawValue(clientTime, skipInputValidation: true);
        json.WriteNumber("s", serverTime);
    });

    /// <summary><c>{"k":"chat","from":I,"n":N,"c":T,"a":A,"s":S,"p":P}</c>, T and P echoed as they came.</summary>
    public static byte[] Chat(long from, ChatRequest chat, long arrival, long serverTime) => Write(json =>
    {
        json.WriteString("k", "chat");
        json.WriteNumber("from", from);
        json.WriteNumber("n", chat.Sequence);
        json.WritePropertyName("c");
        json.WriteRawValue(chat.ClientTime, skipInputValidation: true);
        json.WriteNumber("a", arrival);
        json.WriteNumber("s", serverTime);
        json.WritePropertyName("p");
        json.WriteRawValue(chat.Padding, skipInputValidation: true);
    });

    /// <summary><c>{"k":KIND,"n":N,"s":S,"p":PADDING}</c>: a tick or a burst message, with <paramref name="size"/> bytes of padding.</summary>
    public static byte[] Numbered(string kind, long n, long serverTime, int size) => Write(json =>
    {
        json.WriteString("k", kind);
        json.WriteNumber("n", n);
        json.WriteNumber("s", serverTime);
        json.WriteString("p", s_padding.AsSpan(0, size));
    });

    /// <summary><c>{"k":"done","of":OF,"count":M}</c>, with <c>"stopped":true</c> for a ticker a stop ended early.</summary>
    public static byte[] Done(string of, long count, bool stopped = false) => Write(json =>
    {
        json.WriteString("k", "done");
        json.WriteString("of", of);
        json.WriteNumber("count", count);
        if (stopped)
        {
            json.WriteBoolean("stopped", true);
        }
    });

    /// <summary><c>{"k":"error","reason":TEXT}</c>, with <c>"of":KIND</c> when the refused message named one.</summary>
    public static byte[] Error(string reason, string? of) => Write(json =>
    {
        json.WriteString("k", "error");
        json.WriteString("reason", reason);
        if (of is not null)
        {
            json.WriteString("of", of);
        }
    });

    private static byte[] Write(Action<Utf8JsonWriter> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer, s_options))
        {
            json.WriteStartObject();
            fields(json);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] CreatePadding()
    {
        byte[] padding = new byte[CompareLimits.MaxPaddingBytes];
        padding.AsSpan().Fill((byte)'x');
        return padding;
    }
}
