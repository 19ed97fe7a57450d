namespace Duplex.Protocol.Http;

/// <summary>Where the request side of an <see cref="HttpServerConnection"/> stands (its transitions are the table in that class).</summary>
public enum HttpRequestPhase
{
    /// <summary>Waiting for a request head; bytes in are parsed as one.</summary>
    AwaitingHead,

    /// <summary>A head was accepted and its body is still arriving.</summary>
    ReceivingBody,

    /// <summary>The whole request, body included, has been received.</summary>
    Complete,

    /// <summary>The request was refused (see <see cref="HttpServerConnection.Rejection"/>); the connection must close after the answer.</summary>
    Refused,

    /// <summary>The peer closed the connection between requests.</summary>
    Closed,

    /// <summary>A 101 response switched the connection to another protocol; HTTP is over on it.</summary>
    SwitchedProtocols,
}
