using System.Globalization;

namespace Duplex.Tests.Conformance;

/// <summary>
/// The message sizes of groups 12 and 13 (the MSG_SIZES list of the suite's case file): ten
/// sizes from 16 B to 128 KiB sent whole, then 8 KiB to 128 KiB auto-fragmented into frames of
/// 256 B, and 128 KiB into frames of 1, 4 and 32 KiB.
/// </summary>
internal static class CompressionCases
{
    private static readonly (int Length, int AutoFragment)[] Sizes =
    [
        (16, 0), (64, 0), (256, 0), (1024, 0), (4096, 0), (8192, 0), (16384, 0), (32768, 0), (65536, 0), (131072, 0),
        (8192, 256), (16384, 256), (32768, 256), (65536, 256), (131072, 256), (131072, 1024), (131072, 4096), (131072, 32768),
    ];

    /// <summary>
    /// How many messages a case sends. The suite sends 1000 of every size; here it is 50 for
    /// messages up to 4 KiB and then as many as make about 256 KiB, but never fewer than 4 (so
    /// that context takeover across messages is always exercised), which keeps the 432 cases of
    /// both groups on both ends within about a minute on two cores.
    /// </summary>
    public static int Count(int length) => Math.Clamp(256 * 1024 / length, 4, 50);

    /// <summary>The cases of one subgroup: ("12.1.1", 16, 0), ("12.1.2", 64, 0), ... ("12.1.18", 131072, 32768).</summary>
    public static TheoryData<string, int, int> Numbered(string subgroup)
    {
        var data = new TheoryData<string, int, int>();
        for (int i = 0; i < Sizes.Length; i++)
        {
            data.Add(string.Create(CultureInfo.InvariantCulture, $"{subgroup}.{i + 1}"), Sizes[i].Length, Sizes[i].AutoFragment);
        }

        return data;
    }
}
