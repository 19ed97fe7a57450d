using System.Net;

namespace Duplex;

/// <summary>What an accept hook sees of an upgrade request before it is accepted.</summary>
public sealed class WebSocketUpgradeContext
{
    /// <summary>Creates the context a host passes to <see cref="WebSocketEndpointOptions.Accept"/>.</summary>
    public WebSocketUpgradeContext(HttpRequestHead request, string? origin, IReadOnlyList<string> offeredSubProtocols, EndPoint? remoteEndPoint, System.Security.Claims.ClaimsPrincipal? user = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(offeredSubProtocols);
        User = user;
        Request = request;
        Origin = origin;
        OfferedSubProtocols = offeredSubProtocols;
        RemoteEndPoint = remoteEndPoint;
    }

    /// <summary>The request head as received.</summary>
    public HttpRequestHead Request { get; }

    /// <summary>The Origin header (RFC 6455 §10.2), sent by browsers; null when absent.</summary>
    public string? Origin { get; }

    /// <summary>The subprotocols the client offered, in its order.</summary>
    public IReadOnlyList<string> OfferedSubProtocols { get; }

    /// <summary>The user the host authenticated for the request (ASP.NET Core's <c>HttpContext.User</c>); null on the built-in server.</summary>
    public System.Security.Claims.ClaimsPrincipal? User { get; }

    /// <summary>The client's address.</summary>
    public EndPoint? RemoteEndPoint { get; }
}
