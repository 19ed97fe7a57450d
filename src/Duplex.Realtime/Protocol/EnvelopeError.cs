namespace Duplex.Realtime.Protocol;

/// <summary>Why bytes were not a valid envelope (or array of envelopes); each maps to <c>400 malformed-envelope</c>.</summary>
public enum EnvelopeError
{
    /// <summary>Valid.</summary>
    None,

    /// <summary>Not well-formed JSON (RFC 8259), or not UTF-8.</summary>
    NotJson,

    /// <summary>An envelope that is not a JSON object.</summary>
    NotAnObject,

    /// <summary>A body that should be an array of envelopes is not one.</summary>
    NotAnArray,

    /// <summary>No <c>t</c> field, or one that is not a one-letter string.</summary>
    MissingType,

    /// <summary>A <c>t</c> this side does not know, or one the sender may not send.</summary>
    UnknownType,

    /// <summary>A field the type requires is missing (<c>s</c> on a message, <c>a</c> on an acknowledgement).</summary>
    MissingField,

    /// <summary>A field with the wrong JSON type, a number out of range or not an integer, or a field given twice.</summary>
    InvalidField,

    /// <summary>A message with both <c>d</c> and <c>b</c>, or with neither.</summary>
    InvalidPayload,

    /// <summary>A <c>b</c> that is not base64 (RFC 4648 §4).</summary>
    InvalidBase64,

    /// <summary>More envelopes, or a larger payload, than allowed.</summary>
    TooLarge,

    /// <summary>A binary frame that is not a binary message envelope (docs/PROTOCOL.md §3).</summary>
    InvalidBinaryEnvelope,
}
