namespace Duplex.Protocol.Extensions;

/// <summary>One extension of a Sec-WebSocket-Extensions value: a name and its parameters in order (RFC 6455 §9.1).</summary>
public sealed class ExtensionElement
{
    /// <summary>Creates an element.</summary>
    /// <param name="name">The extension token.</param>
    /// <param name="parameters">Its parameters, in the order written.</param>
    public ExtensionElement(string name, IReadOnlyList<ExtensionParameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(parameters);
        Name = name;
        Parameters = parameters;
    }

    /// <summary>The extension token, e.g. <c>permessage-deflate</c>.</summary>
    public string Name { get; }

    /// <summary>The parameters in the order written; names may repeat (the extension decides whether that is allowed).</summary>
    public IReadOnlyList<ExtensionParameter> Parameters { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        Parameters.Count == 0 ? Name : Name + "; " + string.Join("; ", Parameters.Select(p => p.Value is null ? p.Name : p.Name + "=" + p.Value));
}
