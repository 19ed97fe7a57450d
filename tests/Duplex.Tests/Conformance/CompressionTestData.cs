using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Duplex.Tests.Conformance;

/// <summary>
/// Deterministic stand-ins for the test files of Autobahn groups 12 and 13, generated in code
/// (the suite's own files are not shipped here), each larger than the largest message of the
/// cases (128 KiB) so that every message is a full-length slice:
/// <list type="bullet">
/// <item>12.1 / 13.x: a large JSON document (text), like the suite's generated data1.json;</item>
/// <item>12.2: a 512×512 8-bit grey bitmap of a smooth gradient with noise (binary), the size of lena512.bmp;</item>
/// <item>12.3: long German verse-like text with umlauts and ß, UTF-8, sent as binary as the case does;</item>
/// <item>12.4: a large HTML page (text);</item>
/// <item>12.5: incompressible pseudo-random bytes (binary), standing in for the compressed streams of a PDF.</item>
/// </list>
/// The order 12.1–12.5 is the suite's historical one (JSON, bitmap, German text, HTML, PDF).
/// </summary>
internal sealed class CompressionTestData
{
    private static readonly Lazy<CompressionTestData> LazyJson = new(() => new("JSON document", text: GenerateJson(200 * 1024)));
    private static readonly Lazy<CompressionTestData> LazyBitmap = new(() => new("grey bitmap", binary: GenerateBitmap()));
    private static readonly Lazy<CompressionTestData> LazyGerman = new(() => new("German text (binary)", binary: Encoding.UTF8.GetBytes(GenerateGerman(224 * 1024))));
    private static readonly Lazy<CompressionTestData> LazyHtml = new(() => new("HTML page", text: GenerateHtml(168 * 1024)));
    private static readonly Lazy<CompressionTestData> LazyRandom = new(() => new("random bytes", binary: GenerateRandom(1024 * 1024)));

    private readonly string? _text;
    private readonly byte[]? _binary;

    private CompressionTestData(string name, string? text = null, byte[]? binary = null)
    {
        Name = name;
        _text = text;
        _binary = binary;
    }

    public static CompressionTestData Json => LazyJson.Value;

    public static CompressionTestData Bitmap => LazyBitmap.Value;

    public static CompressionTestData German => LazyGerman.Value;

    public static CompressionTestData Html => LazyHtml.Value;

    public static CompressionTestData Random => LazyRandom.Value;

    public string Name { get; }

    /// <summary>Whether the messages are text (opcode 1) rather than binary (opcode 2).</summary>
    public bool IsText => _text is not null;

    /// <summary>The length in the unit the case slices by: characters for text, bytes for binary.</summary>
    public int Length => _text?.Length ?? _binary!.Length;

    /// <summary>
    /// The next message of a case, as the suite cuts it: <paramref name="length"/> units from
    /// <paramref name="cursor"/>, wrapping round to the start, the cursor moving on. Text is cut
    /// by characters (the data holds no surrogate pairs, so every cut is valid UTF-8) and sent as
    /// its UTF-8 bytes.
    /// </summary>
    public byte[] Next(ref int cursor, int length)
    {
        if (length >= Length)
        {
            throw new InvalidOperationException($"The {Name} ({Length} units) is too short for messages of {length}.");
        }

        int from = cursor;
        int to = (from + length) % Length;
        cursor = to;
        if (_text is not null)
        {
            string slice = to > from ? _text[from..to] : string.Concat(_text.AsSpan(from), _text.AsSpan(0, to));
            return Encoding.UTF8.GetBytes(slice);
        }

        return to > from ? _binary![from..to] : [.. _binary!.AsSpan(from), .. _binary!.AsSpan(0, to)];
    }

    private static string GenerateJson(int minimumLength)
    {
        var rng = new CompressionRandom(0x12_01);
        string[] first = ["Alice", "Bruno", "Chloé", "Dmitri", "Eleanor", "Farid", "Grete", "Hiroshi", "Inès", "José", "Kai", "Łukasz", "Maren", "Nils", "Oona", "Pål", "Quinn", "Renée", "Søren", "Zoë"];
        string[] last = ["Andersen", "Bauer", "Castillo", "Dubois", "Eriksson", "Fischer", "García", "Hansen", "Ivanova", "Jäger", "Kowalski", "Lefèvre", "Müller", "Nakamura", "O'Brien", "Petrović", "Rossi", "Schmidt", "Tanaka", "Weiß"];
        string[] companies = ["Zentrix", "Quarex", "Omnigrid", "Velocity", "Isologia", "Comtrail", "Geekwagon", "Bluegrain", "Hydrocom", "Netplode"];
        string[] streets = ["Lafayette Avenue", "Kingsway Place", "Harbor Lane", "Dover Street", "Beacon Court", "Schönhauser Allee", "Rue de Rivoli", "Elm Road"];
        string[] cities = ["Springfield", "Riverton", "Lakeside", "Fairview", "München", "Köln", "Genève", "Kraków"];
        string[] words = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua", "veniam", "quis", "nostrud", "exercitation", "ullamco", "laboris", "nisi", "aliquip", "commodo", "consequat"];
        string[] fruits = ["apple", "banana", "strawberry", "cherry", "mango"];
        string[] colors = ["blue", "brown", "green", "grey", "hazel"];

        var json = new StringBuilder(minimumLength + 4096);
        json.Append("[\n");
        for (int id = 0; json.Length < minimumLength; id++)
        {
            if (id > 0)
            {
                json.Append(",\n");
            }

            string name = $"{rng.Pick(first)} {rng.Pick(last)}";
            string company = rng.Pick(companies);
            json.Append("  {\n");
            Field(json, "_id", Hex(ref rng, 12));
            Field(json, "index", id);
            Field(json, "guid", $"{Hex(ref rng, 4)}-{Hex(ref rng, 2)}-{Hex(ref rng, 2)}-{Hex(ref rng, 2)}-{Hex(ref rng, 6)}");
            FieldRaw(json, "isActive", rng.Next(2) == 0 ? "true" : "false");
            Field(json, "balance", string.Create(CultureInfo.InvariantCulture, $"${rng.Next(1000, 4000)},{rng.Next(100, 1000)}.{rng.Next(10, 100)}"));
            Field(json, "picture", $"http://placehold.it/{32 + rng.Next(4) * 16}x{32 + rng.Next(4) * 16}");
            Field(json, "age", rng.Next(20, 70));
            Field(json, "eyeColor", rng.Pick(colors));
            Field(json, "name", name);
            Field(json, "company", company.ToUpperInvariant());
            Field(json, "email", $"{name.Split(' ')[0].ToLowerInvariant()}@{company.ToLowerInvariant()}.com");
            Field(json, "phone", $"+1 ({rng.Next(800, 1000)}) {rng.Next(100, 1000)}-{rng.Next(1000, 10000)}");
            Field(json, "address", $"{rng.Next(100, 1000)} {rng.Pick(streets)}, {rng.Pick(cities)}, {rng.Next(1000, 99999)}");
            Field(json, "about", Sentence(ref rng, words, 20 + rng.Next(30)) + "\r\n");
            Field(json, "registered", string.Create(CultureInfo.InvariantCulture, $"20{rng.Next(10, 25):00}-{rng.Next(1, 13):00}-{rng.Next(1, 29):00}T{rng.Next(24):00}:{rng.Next(60):00}:{rng.Next(60):00} -0{rng.Next(1, 10)}:00"));
            FieldRaw(json, "latitude", (rng.Next(-90_000_000, 90_000_000) / 1_000_000.0).ToString("0.000000", CultureInfo.InvariantCulture));
            FieldRaw(json, "longitude", (rng.Next(-180_000_000, 180_000_000) / 1_000_000.0).ToString("0.000000", CultureInfo.InvariantCulture));
            json.Append("    \"tags\": [");
            int tags = 3 + rng.Next(5);
            for (int t = 0; t < tags; t++)
            {
                json.Append(t == 0 ? "\"" : ", \"").Append(rng.Pick(words)).Append('"');
            }

            json.Append("],\n    \"friends\": [\n");
            for (int f = 0; f < 3; f++)
            {
                json.Append(CultureInfo.InvariantCulture, $"      {{ \"id\": {f}, \"name\": \"{rng.Pick(first)} {rng.Pick(last)}\" }}").Append(f < 2 ? ",\n" : "\n");
            }

            json.Append("    ],\n");
            Field(json, "greeting", $"Hello, {name}! You have {rng.Next(1, 10)} unread messages.");
            json.Append("    \"favoriteFruit\": \"").Append(rng.Pick(fruits)).Append("\"\n  }");
        }

        return json.Append("\n]\n").ToString();

        static void Field(StringBuilder json, string name, object value) =>
            json.Append("    \"").Append(name).Append("\": ").Append(value is string s ? $"\"{s.Replace("\r\n", "\\r\\n", StringComparison.Ordinal)}\"" : Convert.ToString(value, CultureInfo.InvariantCulture)).Append(",\n");

        static void FieldRaw(StringBuilder json, string name, string value) => json.Append("    \"").Append(name).Append("\": ").Append(value).Append(",\n");
    }

    private static string GenerateGerman(int minimumBytes)
    {
        var rng = new CompressionRandom(0x12_03);
        string[] speakers = ["FAUST", "MEPHISTOPHELES", "WAGNER", "MARGARETE", "MARTHE", "DER HERR", "CHOR DER ENGEL", "SCHÜLER"];
        string[] words = [
            "und", "der", "die", "das", "ich", "du", "nicht", "mit", "für", "über", "Geist", "Himmel", "Erde", "Nacht",
            "Tag", "Welt", "Herz", "schön", "Mädchen", "Fräulein", "Gefühl", "müssen", "können", "Größe", "weiß", "heißt",
            "süß", "Straße", "Hölle", "Tür", "Glück", "Träume", "Blüten", "Lüfte", "grün", "Wissen", "Natur", "Liebe",
            "Zeit", "Leben", "Seele", "Brust", "Gestalt", "Kräfte", "Flügel", "Klänge", "Gewühl", "dämmernd", "fühlen",
            "hören", "schließen", "ewig", "Wahrheit", "Teufel", "Pudel", "Buch", "Stube", "Mond", "Licht", "Flamme",
            "Jugend", "Alter", "Freude", "Schmerz", "hinab", "empor", "Kirche", "Garten", "Brunnen", "Kerker", "Walpurgis",
        ];

        var text = new StringBuilder(minimumBytes);
        int bytes = 0;
        int scene = 1;
        while (bytes < minimumBytes)
        {
            var part = new StringBuilder();
            if (rng.Next(12) == 0)
            {
                part.Append(CultureInfo.InvariantCulture, $"\r\n\r\n{scene++}. SZENE. Studierzimmer. Nacht.\r\n");
            }

            part.Append("\r\n").Append(rng.Pick(speakers)).Append(":\r\n");
            int lines = 2 + rng.Next(8);
            for (int l = 0; l < lines; l++)
            {
                string line = Sentence(ref rng, words, 4 + rng.Next(6));
                part.Append("    ").Append(char.ToUpperInvariant(line[0])).Append(line.AsSpan(1))
                    .Append(rng.Pick([",", ",", ";", ".", "!", "?", "—"])).Append("\r\n");
            }

            bytes += Encoding.UTF8.GetByteCount(part.ToString());
            text.Append(part);
        }

        return text.ToString();
    }

    private static string GenerateHtml(int minimumLength)
    {
        var rng = new CompressionRandom(0x12_04);
        string[] words = ["the", "protocol", "message", "frame", "server", "client", "extension", "window", "context", "compression", "handshake", "header", "payload", "deflate", "stream", "buffer", "latency", "Übersicht", "naïve", "résumé"];
        var html = new StringBuilder(minimumLength + 4096);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <title>Duplex — permessage-deflate test page</title>\n")
            .Append("  <style>\n    body { font-family: sans-serif; margin: 0 auto; max-width: 960px; }\n    table.data td { padding: 2px 8px; border-bottom: 1px solid #ddd; }\n  </style>\n</head>\n<body>\n")
            .Append("  <nav class=\"top\"><ul>\n");
        for (int i = 0; i < 12; i++)
        {
            html.Append(CultureInfo.InvariantCulture, $"    <li><a href=\"/section/{i}\" class=\"nav-link\">{rng.Pick(words)}</a></li>\n");
        }

        html.Append("  </ul></nav>\n");
        for (int section = 0; html.Length < minimumLength; section++)
        {
            html.Append(CultureInfo.InvariantCulture, $"  <section id=\"s{section}\">\n    <h2>Section {section}: {rng.Pick(words)} {rng.Pick(words)}</h2>\n");
            int paragraphs = 1 + rng.Next(4);
            for (int p = 0; p < paragraphs; p++)
            {
                html.Append("    <p class=\"body-text\">").Append(Sentence(ref rng, words, 25 + rng.Next(40)))
                    .Append(CultureInfo.InvariantCulture, $" <a href=\"https://example.org/docs/{rng.Next(1000)}\">more</a>.</p>\n");
            }

            if (rng.Next(3) == 0)
            {
                html.Append("    <table class=\"data\">\n      <tr><th>id</th><th>name</th><th>value</th></tr>\n");
                int rows = 3 + rng.Next(10);
                for (int r = 0; r < rows; r++)
                {
                    html.Append(CultureInfo.InvariantCulture, $"      <tr><td>{rng.Next(100000)}</td><td>{rng.Pick(words)}</td><td>{rng.Next(1000)}.{rng.Next(100):00}</td></tr>\n");
                }

                html.Append("    </table>\n");
            }

            html.Append("  </section>\n");
        }

        return html.Append("</body>\n</html>\n").ToString();
    }

    /// <summary>A 512×512 8-bit grey BMP (263,222 bytes, as lena512.bmp): a smooth shaded surface with a little noise.</summary>
    private static byte[] GenerateBitmap()
    {
        const int Side = 512;
        const int PixelOffset = 14 + 40 + 256 * 4;
        var bmp = new byte[PixelOffset + Side * Side];
        var span = bmp.AsSpan();
        "BM"u8.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[2..], bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[10..], PixelOffset);
        BinaryPrimitives.WriteInt32LittleEndian(span[14..], 40);
        BinaryPrimitives.WriteInt32LittleEndian(span[18..], Side);
        BinaryPrimitives.WriteInt32LittleEndian(span[22..], Side);
        BinaryPrimitives.WriteInt16LittleEndian(span[26..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(span[28..], 8);
        BinaryPrimitives.WriteInt32LittleEndian(span[34..], Side * Side);
        BinaryPrimitives.WriteInt32LittleEndian(span[46..], 256);
        for (int i = 0; i < 256; i++)
        {
            span[54 + i * 4] = span[55 + i * 4] = span[56 + i * 4] = (byte)i;
        }

        var rng = new CompressionRandom(0x12_02);
        for (int y = 0; y < Side; y++)
        {
            for (int x = 0; x < Side; x++)
            {
                double shade = 96 + (x + y) / 8.0 + 40 * Math.Sin(x / 41.0) * Math.Cos(y / 57.0) + 20 * Math.Sin((x * y) / 9000.0);
                int value = (int)shade + rng.Next(-5, 6);
                bmp[PixelOffset + y * Side + x] = (byte)Math.Clamp(value, 0, 255);
            }
        }

        return bmp;
    }

    private static byte[] GenerateRandom(int length)
    {
        var rng = new CompressionRandom(0x12_05);
        var bytes = new byte[length];
        for (int i = 0; i < length; i += 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i), rng.NextUInt64());
        }

        return bytes;
    }

    private static string Sentence(ref CompressionRandom rng, string[] words, int count)
    {
        var sentence = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            sentence.Append(i == 0 ? string.Empty : " ").Append(rng.Pick(words));
        }

        return sentence.ToString();
    }

    private static string Hex(ref CompressionRandom rng, int bytes)
    {
        Span<byte> buffer = stackalloc byte[bytes];
        for (int i = 0; i < bytes; i++)
        {
            buffer[i] = (byte)rng.Next(256);
        }

        return Convert.ToHexStringLower(buffer);
    }
}

/// <summary>SplitMix64: a tiny deterministic generator, so that the test data is the same on every run and runtime.</summary>
internal struct CompressionRandom
{
    private ulong _state;

    public CompressionRandom(ulong seed)
    {
        _state = seed;
    }

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public int Next(int maxExclusive) => (int)(NextUInt64() % (ulong)maxExclusive);

    public int Next(int minInclusive, int maxExclusive) => minInclusive + Next(maxExclusive - minInclusive);

    public T Pick<T>(T[] items) => items[Next(items.Length)];
}
