using Duplex.Realtime;
using Microsoft.AspNetCore.Builder;

namespace Duplex.AspNetCore;

/// <summary>
/// The endpoints of one <c>MapRealtime</c>: conventions (authorization, CORS, metadata) apply to
/// every session request; <see cref="Endpoint"/> is the realtime endpoint itself (its sessions and
/// channels).
/// </summary>
public sealed class RealtimeEndpointConventionBuilder : IEndpointConventionBuilder
{
    private readonly IReadOnlyList<IEndpointConventionBuilder> _sessionRoutes;

    internal RealtimeEndpointConventionBuilder(RealtimeEndpoint endpoint, IReadOnlyList<IEndpointConventionBuilder> sessionRoutes, IEndpointConventionBuilder script)
    {
        Endpoint = endpoint;
        _sessionRoutes = sessionRoutes;
        Script = script;
    }

    /// <summary>The realtime endpoint: its live sessions, and its channels to publish on from server code.</summary>
    public RealtimeEndpoint Endpoint { get; }

    /// <summary>The route of the browser client (<c>duplex.js</c>), public by default; add conventions here to change that.</summary>
    public IEndpointConventionBuilder Script { get; }

    /// <inheritdoc/>
    public void Add(Action<EndpointBuilder> convention)
    {
        foreach (IEndpointConventionBuilder route in _sessionRoutes)
        {
            route.Add(convention);
        }
    }

    /// <inheritdoc/>
    public void Finally(Action<EndpointBuilder> finallyConvention)
    {
        foreach (IEndpointConventionBuilder route in _sessionRoutes)
        {
            route.Finally(finallyConvention);
        }
    }
}
