namespace Duplex.Protocol.Handshake;

/// <summary>The outcome of checking a server's answer to the opening handshake (RFC 6455 §4.1).</summary>
public sealed class ClientHandshakeResult
{
    private ClientHandshakeResult(bool success, string? error, int statusCode, string? subProtocol, string? extensions)
    {
        Success = success;
        Error = error;
        StatusCode = statusCode;
        SubProtocol = subProtocol;
        Extensions = extensions;
    }

    /// <summary>Whether the connection is established: the client may now send and receive frames.</summary>
    public bool Success { get; }

    /// <summary>When the handshake failed, a sentence saying why; otherwise null.</summary>
    public string? Error { get; }

    /// <summary>The status code the server answered with.</summary>
    public int StatusCode { get; }

    /// <summary>The subprotocol the server selected, or null when none (§4.1: "the subprotocol in use").</summary>
    public string? SubProtocol { get; }

    /// <summary>The Sec-WebSocket-Extensions value the server answered with, or null (§4.1: "the extensions in use").</summary>
    public string? Extensions { get; }

    internal static ClientHandshakeResult Accepted(int statusCode, string? subProtocol, string? extensions) =>
        new(success: true, error: null, statusCode, subProtocol, extensions);

    internal static ClientHandshakeResult Failed(int statusCode, string error) =>
        new(success: false, error, statusCode, subProtocol: null, extensions: null);
}
