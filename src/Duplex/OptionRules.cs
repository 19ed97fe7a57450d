using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Duplex;

/// <summary>Checks of options at start, with a message that names the option, the rule and the value given.</summary>
internal static class OptionRules
{
    public static void Require([DoesNotReturnIf(false)] bool holds, string owner, string option, string rule, object? value)
    {
        if (!holds)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{owner}.{option} {rule} (it is {value ?? "null"})."), option);
        }
    }

    public static void RequirePositive(TimeSpan value, string owner, string option) =>
        Require(value > TimeSpan.Zero && value != Timeout.InfiniteTimeSpan, owner, option, "must be a positive time", value);
}
