using Duplex.Protocol.Http;

namespace Duplex.Protocol.Handshake;

/// <summary>Checks headers a caller adds to a handshake: valid, and not one the handshake sets itself.</summary>
internal static class ExtraHeaders
{
    /// <summary>Validates each extra header and appends it to <paramref name="fields"/>.</summary>
    /// <exception cref="ArgumentException">A header is malformed or names one of <paramref name="reserved"/>.</exception>
    internal static void Append(
        List<KeyValuePair<string, string>> fields,
        IEnumerable<KeyValuePair<string, string>>? extras,
        string[] reserved,
        string paramName)
    {
        if (extras is null)
        {
            return;
        }

        foreach (KeyValuePair<string, string> extra in extras)
        {
            HttpSyntax.ValidateField(extra.Key, extra.Value, paramName);
            foreach (string name in reserved)
            {
                if (string.Equals(extra.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ArgumentException(
                        $"The header '{extra.Key}' is set by the handshake itself and cannot be given as an extra header.",
                        paramName);
                }
            }

            fields.Add(extra);
        }
    }
}
