using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Duplex.Cli.Compare.Server;

/// <summary>
/// Reads one text message of the compare workload (docs/PROTOCOL.md §12) into a
/// <see cref="CompareRequest"/>, or says in a short sentence what is wrong with it (the reason
/// of the error reply). Unknown fields are ignored, as everywhere in the protocol.
/// </summary>
internal static class CompareRequestReader
{
    /// <summary>The request, or null and <paramref name="error"/>; <paramref name="kind"/> is the <c>k</c> read, when there was one.</summary>
    public static CompareRequest? Read(ReadOnlyMemory<byte> utf8, out string? kind, out string? error)
    {
        kind = null;
        error = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8);
        }
        catch (JsonException ex)
        {
            error = "not JSON: " + ex.Message;
            return null;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "a workload message is a JSON object";
                return null;
            }

            if (!root.TryGetProperty("k", out JsonElement k) || k.ValueKind != JsonValueKind.String)
            {
                error = "a workload message names its kind in the string field k";
                return null;
            }

            kind = k.GetString();
            try
            {
                return kind switch
                {
                    "hello" => ReadHello(root),
                    "ping" => new PingRequest(Raw(Number(root, "c"))),
                    "chat" => ReadChat(root),
                    "ticker" => ReadTicker(root),
                    "burst" => ReadBurst(root),
                    "stop" => new StopRequest(),
                    "memory" => new MemoryRequest(),
                    _ => throw new BadRequestException($"unknown kind '{kind}' (hello, ping, chat, ticker, burst, stop, memory)"),
                };
            }
            catch (BadRequestException ex)
            {
                error = ex.Message;
                return null;
            }
        }
    }

    private static HelloRequest ReadHello(JsonElement root)
    {
        if (!root.TryGetProperty("run", out JsonElement run) || run.ValueKind != JsonValueKind.String
            || run.GetString() is not { Length: > 0 and <= CompareLimits.MaxRunIdLength } id)
        {
            throw new BadRequestException($"hello needs run, a string of 1 to {CompareLimits.MaxRunIdLength} characters");
        }

        return new HelloRequest(id, Integer(root, "client", 0, CompareLimits.MaxClientIndex));
    }

    private static ChatRequest ReadChat(JsonElement root)
    {
        long sequence = Integer(root, "n", 0, long.MaxValue);
        byte[] clientTime = Raw(Number(root, "c"));
        byte[] padding = "\"\""u8.ToArray();
        if (root.TryGetProperty("p", out JsonElement p))
        {
            if (p.ValueKind != JsonValueKind.String)
            {
                throw new BadRequestException("chat's p is a string");
            }

            padding = Raw(p);
            // The JSON text, quotes and escapes included: a bound on the padding a little looser than its bytes.
            if (padding.Length > CompareLimits.MaxPaddingBytes + 2)
            {
                throw new BadRequestException($"chat's p is at most {CompareLimits.MaxPaddingBytes} bytes");
            }
        }

        return new ChatRequest(sequence, clientTime, padding);
    }

    private static TickerRequest ReadTicker(JsonElement root)
    {
        double rate = Number(root, "rate").GetDouble();
        if (!(rate > 0 && rate <= CompareLimits.MaxTickerRate))
        {
            throw new BadRequestException($"ticker's rate is above 0 and at most {CompareLimits.MaxTickerRate} a second");
        }

        long count = Integer(root, "count", 0, CompareLimits.MaxTickerCount);
        int size = (int)Integer(root, "size", 0, CompareLimits.MaxPaddingBytes);
        if (count / rate > CompareLimits.MaxTickerSeconds)
        {
            throw new BadRequestException($"a ticker lasts at most {CompareLimits.MaxTickerSeconds} s (count / rate)");
        }

        return new TickerRequest(rate, count, size);
    }

    private static BurstRequest ReadBurst(JsonElement root)
    {
        long count = Integer(root, "count", 0, CompareLimits.MaxBurstCount);
        int size = (int)Integer(root, "size", 0, CompareLimits.MaxPaddingBytes);
        if (count * size > CompareLimits.MaxBurstBytes)
        {
            throw new BadRequestException($"a burst is at most {CompareLimits.MaxBurstBytes} bytes of padding (count × size)");
        }

        return new BurstRequest(count, size);
    }

    private static JsonElement Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number
            ? value
            : throw new BadRequestException($"{Kind(root)} needs {name}, a number");

    private static long Integer(JsonElement root, string name, long min, long max)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.Number
            || !value.TryGetInt64(out long integer) || integer < min || integer > max)
        {
            throw new BadRequestException(string.Create(CultureInfo.InvariantCulture, $"{Kind(root)} needs {name}, an integer from {min} to {max}"));
        }

        return integer;
    }

    private static string? Kind(JsonElement root) => root.GetProperty("k").GetString();

    /// <summary>The value's JSON text as it came (a number's digits, a string with its quotes and escapes).</summary>
    private static byte[] Raw(JsonElement value) => JsonMarshal.GetRawUtf8Value(value).ToArray();

    private sealed class BadRequestException(string message) : Exception(message);
}
