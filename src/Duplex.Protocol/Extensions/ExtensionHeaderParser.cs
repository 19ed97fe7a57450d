using System.Diagnostics.CodeAnalysis;
using System.Text;
using Duplex.Protocol.Http;

namespace Duplex.Protocol.Extensions;

/// <summary>
/// Parses Sec-WebSocket-Extensions values by the grammar of RFC 6455 §9.1:
/// <code>
/// extension-list = 1#extension
/// extension      = extension-token *( ";" extension-param )
/// extension-param = token [ "=" (token | quoted-string) ]
/// </code>
/// with optional whitespace around the separators. Several header fields are one list, as if
/// joined with commas (RFC 9110 §5.3), and empty list elements are ignored (RFC 9110 §5.6.1.2).
/// </summary>
public static class ExtensionHeaderParser
{
    /// <summary>Parses one or more Sec-WebSocket-Extensions field values into elements.</summary>
    /// <param name="fieldValues">The values of every Sec-WebSocket-Extensions field, in order.</param>
    /// <param name="elements">The extensions in order, when the syntax is valid.</param>
    /// <param name="error">Why the syntax is invalid, when it is.</param>
    /// <returns>True when every value follows the grammar and the list is not empty.</returns>
    public static bool TryParse(
        IReadOnlyList<string> fieldValues,
        [NotNullWhen(true)] out IReadOnlyList<ExtensionElement>? elements,
        [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(fieldValues);
        var result = new List<ExtensionElement>();
        foreach (string value in fieldValues)
        {
            error = ParseValue(value ?? string.Empty, result);
            if (error is not null)
            {
                elements = null;
                return false;
            }
        }

        if (result.Count == 0)
        {
            elements = null;
            error = "Invalid Sec-WebSocket-Extensions: the list holds no extension (RFC 6455 §9.1: 1#extension).";
            return false;
        }

        elements = result;
        error = null;
        return true;
    }

    /// <summary>Parses one Sec-WebSocket-Extensions field value.</summary>
    /// <param name="fieldValue">The field value.</param>
    /// <param name="elements">The extensions in order, when the syntax is valid.</param>
    /// <param name="error">Why the syntax is invalid, when it is.</param>
    /// <returns>True when the value follows the grammar and holds at least one extension.</returns>
    public static bool TryParse(
        string fieldValue,
        [NotNullWhen(true)] out IReadOnlyList<ExtensionElement>? elements,
        [NotNullWhen(false)] out string? error) => TryParse([fieldValue], out elements, out error);

    private static string? ParseValue(string value, List<ExtensionElement> elements)
    {
        int pos = 0;
        while (true)
        {
            SkipOws(value, ref pos);
            if (pos == value.Length)
            {
                return null;
            }

            if (value[pos] == ',')
            {
                // An empty list element.
                pos++;
                continue;
            }

            string? name = ReadToken(value, ref pos);
            if (name is null)
            {
                return Error(value, pos, "expected an extension name (a token)");
            }

            var parameters = new List<ExtensionParameter>();
            while (true)
            {
                SkipOws(value, ref pos);
                if (pos == value.Length || value[pos] == ',')
                {
                    break;
                }

                if (value[pos] != ';')
                {
                    return Error(value, pos, "expected ';' or ',' after an extension or parameter");
                }

                pos++;
                SkipOws(value, ref pos);
                string? parameterName = ReadToken(value, ref pos);
                if (parameterName is null)
                {
                    return Error(value, pos, "expected a parameter name (a token) after ';'");
                }

                SkipOws(value, ref pos);
                string? parameterValue = null;
                if (pos < value.Length && value[pos] == '=')
                {
                    pos++;
                    SkipOws(value, ref pos);
                    if (pos < value.Length && value[pos] == '"')
                    {
                        string? error = ReadQuoted(value, ref pos, out parameterValue);
                        if (error is not null)
                        {
                            return error;
                        }
                    }
                    else
                    {
                        parameterValue = ReadToken(value, ref pos);
                        if (parameterValue is null)
                        {
                            return Error(value, pos, $"expected a token or a quoted-string as the value of '{parameterName}'");
                        }
                    }
                }

                parameters.Add(new ExtensionParameter(parameterName, parameterValue));
            }

            elements.Add(new ExtensionElement(name, parameters));
        }
    }

    // RFC 9110 §5.6.4: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE; RFC 6455 §9.1:
    // after unescaping, the value must be a token.
    private static string? ReadQuoted(string value, ref int pos, out string? unquoted)
    {
        unquoted = null;
        int start = pos;
        pos++;
        var builder = new StringBuilder();
        while (true)
        {
            if (pos == value.Length)
            {
                return Error(value, start, "unterminated quoted-string");
            }

            char c = value[pos];
            if (c == '"')
            {
                pos++;
                break;
            }

            if (c == '\\')
            {
                pos++;
                if (pos == value.Length)
                {
                    return Error(value, start, "unterminated quoted-string");
                }

                c = value[pos];
            }

            if ((c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF)
            {
                return Error(value, pos, "control character in a quoted-string");
            }

            builder.Append(c);
            pos++;
        }

        unquoted = builder.ToString();
        return HttpSyntax.IsToken(unquoted.AsSpan())
            ? null
            : Error(value, start, "a quoted parameter value must be a token once unquoted (RFC 6455 §9.1)");
    }

    private static string? ReadToken(string value, ref int pos)
    {
        int start = pos;
        while (pos < value.Length && HttpSyntax.IsToken(value.AsSpan(pos, 1)))
        {
            pos++;
        }

        return pos == start ? null : value[start..pos];
    }

    private static void SkipOws(string value, ref int pos)
    {
        while (pos < value.Length && HttpSyntax.IsOws(value[pos]))
        {
            pos++;
        }
    }

    private static string Error(string value, int pos, string what) =>
        $"Invalid Sec-WebSocket-Extensions '{value}' at offset {pos}: {what} (RFC 6455 §9.1).";
}
