namespace Duplex.Protocol.Extensions;

/// <summary>One extension parameter of a Sec-WebSocket-Extensions element (RFC 6455 §9.1).</summary>
/// <param name="Name">The parameter name, a token.</param>
/// <param name="Value">
/// The value with any quoting removed (a quoted value and a token value are the same,
/// RFC 7692 §7.1), or null when the parameter has no value.
/// </param>
public readonly record struct ExtensionParameter(string Name, string? Value);
