namespace Duplex.Protocol.Connection;

/// <summary>Which end of the connection this endpoint is; it decides the masking rules of RFC 6455 §5.1.</summary>
public enum Role
{
    /// <summary>The server: frames it receives must be masked; frames it sends must not be.</summary>
    Server,

    /// <summary>The client: frames it sends must be masked; frames it receives must not be.</summary>
    Client,
}
