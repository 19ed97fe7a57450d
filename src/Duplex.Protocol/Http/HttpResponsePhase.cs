namespace Duplex.Protocol.Http;

/// <summary>Where the response side of an <see cref="HttpServerConnection"/> stands (its transitions are the table in that class).</summary>
public enum HttpResponsePhase
{
    /// <summary>No response head has been written for the current request (a 100 Continue may have been).</summary>
    NotStarted,

    /// <summary>The head is written and the body is being sent.</summary>
    SendingBody,

    /// <summary>The response is complete.</summary>
    Complete,

    /// <summary>A 101 response was written; HTTP is over on this connection.</summary>
    SwitchedProtocols,
}
