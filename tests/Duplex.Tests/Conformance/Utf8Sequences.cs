using System.Globalization;

namespace Duplex.Tests.Conformance;

/// <summary>
/// The UTF-8 vectors of Autobahn cases 6.5 to 6.23, built family by family from Markus Kuhn's
/// UTF-8 decoder stress test: valid text (including the noncharacters U+FFFE and U+FFFF and the
/// Specials block, which are valid UTF-8) and invalid text (5- and 6-byte forms, code points
/// above U+10FFFF, stray continuation bytes, lone lead bytes, truncated sequences, FE/FF,
/// overlong forms and UTF-16 surrogates). Each entry is (case id, payload hex, valid).
/// </summary>
internal static class Utf8Sequences
{
    /// <summary>"κόσμε" (Greek "cosmos"): 2- and 3-byte code points.</summary>
    private const string Kosme = "CEBAE1BDB9CF83CEBCCEB5";

    // Declared before All, which is built from it during static initialization.
    private static readonly string[] Truncated =
    [
        "C0", "E080", "F08080", "F8808080", "FC80808080",
        "DF", "EFBF", "F7BFBF", "FBBFBFBF", "FDBFBFBFBF",
    ];

    public static TheoryData<string, string, bool> All { get; } = Build();

    private static TheoryData<string, string, bool> Build()
    {
        List<(bool Valid, string Hex)[]> families =
        [
            // 6.5: some valid text.
            [
                (true, "68656C6C6F24776F726C64"),         // hello$world
                (true, "68656C6C6FC2A2776F726C64"),       // hello¢world
                (true, "68656C6C6FE282AC776F726C64"),     // hello€world
                (true, "68656C6C6FF0A4ADA2776F726C64"),   // hello U+24B62 world
                (true, Kosme),
            ],

            // 6.6: every prefix of κόσμε; it is valid only where it ends on a code point.
            Enumerable.Range(1, Kosme.Length / 2)
                .Select(n => Kosme[..(2 * n)])
                .Select(hex => (System.Text.Unicode.Utf8.IsValid(Convert.FromHexString(hex)), hex))
                .ToArray(),

            // 6.7: the first code point of each length.
            [(true, "00"), (true, "C280"), (true, "E0A080"), (true, "F0908080")],

            // 6.8: the first 5- and 6-byte forms (beyond Unicode).
            [(false, "F888808080"), (false, "FC8480808080")],

            // 6.9: the last code point of each length.
            [(true, "7F"), (true, "DFBF"), (true, "EFBFBF"), (true, "F48FBFBF")],

            // 6.10: the last 4-, 5- and 6-byte forms (beyond U+10FFFF).
            [(false, "F7BFBFBF"), (false, "FBBFBFBFBF"), (false, "FDBFBFBFBFBF")],

            // 6.11: around the surrogates, the private use area, U+FFFD and U+10FFFF.
            [(true, "ED9FBF"), (true, "EE8080"), (true, "EFBFBD"), (true, "F48FBFBF"), (false, "F4908080")],

            // 6.12: continuation bytes with no lead byte.
            [
                (false, "80"), (false, "BF"), (false, "80BF"), (false, "80BF80"), (false, "80BF80BF"),
                (false, "80BF80BF80"), (false, "80BF80BF80BF"), (false, Run(0x80, 0xBF, spaced: false)),
            ],

            // 6.13: lead bytes each followed by a space.
            [
                (false, Run(0xC0, 0xDF, spaced: true)), (false, Run(0xE0, 0xEF, spaced: true)), (false, Run(0xF0, 0xF7, spaced: true)),
                (false, Run(0xF8, 0xFB, spaced: true)), (false, Run(0xFC, 0xFD, spaced: true)),
            ],

            // 6.14: sequences missing their last continuation byte.
            Truncated.Select(hex => (false, hex)).ToArray(),

            // 6.15: all of those one after another.
            [(false, string.Concat(Truncated))],

            // 6.16: bytes that never appear in UTF-8.
            [(false, "FE"), (false, "FF"), (false, "FEFEFFFF")],

            // 6.17: "/" in overlong forms.
            [(false, "C0AF"), (false, "E080AF"), (false, "F08080AF"), (false, "F8808080AF"), (false, "FC80808080AF")],

            // 6.18: the largest overlong form of each length.
            [(false, "C1BF"), (false, "E09FBF"), (false, "F08FBFBF"), (false, "F887BFBFBF"), (false, "FC83BFBFBFBF")],

            // 6.19: NUL in overlong forms.
            [(false, "C080"), (false, "E08080"), (false, "F0808080"), (false, "F880808080"), (false, "FC8080808080")],

            // 6.20: single UTF-16 surrogates.
            [(false, "EDA080"), (false, "EDADBF"), (false, "EDAE80"), (false, "EDAFBF"), (false, "EDB080"), (false, "EDBE80"), (false, "EDBFBF")],

            // 6.21: UTF-16 surrogate pairs encoded as two 3-byte forms.
            [
                (false, "EDA080EDB080"), (false, "EDA080EDBFBF"), (false, "EDADBFEDB080"), (false, "EDADBFEDBFBF"),
                (false, "EDAE80EDB080"), (false, "EDAE80EDBFBF"), (false, "EDAFBFEDB080"), (false, "EDAFBFEDBFBF"),
            ],

            // 6.22: noncharacters (U+FFFE, U+FFFF and U+nFFFE/U+nFFFF of planes 1-16): valid UTF-8.
            Noncharacters().Select(hex => (true, hex)).ToArray(),

            // 6.23: the Specials block, U+FFF9 to U+FFFF.
            [(true, "EFBFB9"), (true, "EFBFBA"), (true, "EFBFBB"), (true, "EFBFBC"), (true, "EFBFBD"), (true, "EFBFBE"), (true, "EFBFBF")],
        ];

        var data = new TheoryData<string, string, bool>();
        for (int family = 0; family < families.Count; family++)
        {
            for (int i = 0; i < families[family].Length; i++)
            {
                (bool valid, string hex) = families[family][i];
                data.Add(string.Create(CultureInfo.InvariantCulture, $"6.{family + 5}.{i + 1}"), hex, valid);
            }
        }

        return data;
    }

    /// <summary>The bytes from <paramref name="first"/> up to (not including) <paramref name="end"/>, each optionally followed by a space.</summary>
    private static string Run(int first, int end, bool spaced)
    {
        var bytes = new List<byte>();
        for (int b = first; b < end; b++)
        {
            bytes.Add((byte)b);
            if (spaced)
            {
                bytes.Add(0x20);
            }
        }

        return Convert.ToHexString(bytes.ToArray());
    }

    private static IEnumerable<string> Noncharacters()
    {
        yield return "EFBFBE";
        yield return "EFBFBF";
        foreach (string lead in new[] { "F0", "F1", "F2", "F3", "F4" })
        {
            foreach (string second in new[] { "8F", "9F", "AF", "BF" })
            {
                if (lead == "F4" && second != "8F")
                {
                    continue; // beyond U+10FFFF
                }

                foreach (string last in new[] { "BE", "BF" })
                {
                    string hex = lead + second + "BF" + last;
                    if (hex is not ("F08FBFBE" or "F08FBFBF"))
                    {
                        // F0 8F is an overlong form; those are not noncharacters but invalid.
                        yield return hex;
                    }
                }
            }
        }
    }
}
