using Duplex.Realtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Duplex.AspNetCore;

/// <summary>
/// Mapping Duplex endpoints in an ASP.NET Core app, with the same handlers as the built-in
/// server's <c>MapWebSocket</c> and <c>MapRealtime</c>. Each returns a convention builder, so the
/// app's own <c>RequireAuthorization</c>, <c>RequireCors</c>, rate limiting and metadata apply.
/// </summary>
public static class DuplexEndpointRouteBuilderExtensions
{
    private static readonly string[] s_upgradeMethods = ["GET", "CONNECT"];

    /// <summary>
    /// Serves WebSockets at <paramref name="pattern"/> with <paramref name="handler"/>: over
    /// HTTP/1.1 (upgrade) and HTTP/2 (extended CONNECT, RFC 8441), permessage-deflate when
    /// <see cref="DuplexHostOptions.WebSocket"/> (or the endpoint's options) offers it, all on
    /// Duplex's own engine. A request that is not an opening handshake is answered 426. When the
    /// handler returns the connection is closed (1000, or 1011 if it threw).
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>AddDuplex()</c> was not called.</exception>
    public static IEndpointConventionBuilder MapWebSocket(this IEndpointRouteBuilder endpoints, string pattern, WebSocketHandler handler, WebSocketEndpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(handler);
        DuplexHostLifetime host = Host(endpoints);
        ILogger log = Logger(host, "Duplex.AspNetCore.WebSocket");
        WebSocketEndpointOptions endpointOptions = options ?? new WebSocketEndpointOptions();
        return endpoints.MapMethods(pattern, s_upgradeMethods, context => HostedWebSocketEndpoint.ServeAsync(context, handler, endpointOptions, host, log))
            .WithDisplayName("Duplex WebSocket " + pattern);
    }

    /// <summary>
    /// Serves realtime sessions under <paramref name="basePath"/> (its <c>negotiate</c>, <c>ws</c>,
    /// <c>sse</c>, <c>poll</c>, <c>send</c> and <c>close</c>, docs/PROTOCOL.md, and the browser
    /// client at <c>duplex.js</c>) with <paramref name="handler"/>, over every transport, over
    /// HTTP/1.1 and HTTP/2. The request's <c>HttpContext.User</c> becomes
    /// <see cref="RealtimeSession.User"/>, seen by the accept and channel hooks. Conventions added
    /// to the result (authorization above all) apply to the session requests; <c>duplex.js</c>
    /// stays public, as a script is.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>AddDuplex()</c> was not called.</exception>
    /// <exception cref="ArgumentException">The base path does not start with '/', or an option is out of range.</exception>
    public static RealtimeEndpointConventionBuilder MapRealtime(this IEndpointRouteBuilder endpoints, string basePath, RealtimeHandler handler, RealtimeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(basePath);
        ArgumentNullException.ThrowIfNull(handler);
        string prefix = basePath.TrimEnd('/');
        if (!prefix.StartsWith('/'))
        {
            throw new ArgumentException("A base path starts with '/'.", nameof(basePath));
        }

        DuplexHostLifetime host = Host(endpoints);
        ILogger log = Logger(host, "Duplex.AspNetCore.Realtime");
        var endpoint = new RealtimeEndpoint(handler, options, host.Options.LoggerFactory, host.Options.MeterFactory);
        host.Add(endpoint);
        var sessionRoutes = new List<IEndpointConventionBuilder>();
        IEndpointConventionBuilder? script = null;
        foreach ((string method, string route) in RealtimeEndpoint.Routes)
        {
            string name = route;
            string[] methods = name == "ws" ? s_upgradeMethods : [method];
            IEndpointConventionBuilder mapped = endpoints
                .MapMethods(prefix + "/" + name, methods, context => HostedExchangeRunner.RunAsync(context, host.Options, log, (exchange, ct) => endpoint.HandleAsync(exchange, name, ct)))
                .WithDisplayName("Duplex realtime " + prefix + "/" + name);
            if (name == "duplex.js")
            {
                script = mapped.AllowAnonymous();
            }
            else
            {
                sessionRoutes.Add(mapped);
            }
        }

        return new RealtimeEndpointConventionBuilder(endpoint, sessionRoutes, script!);
    }

    /// <summary>
    /// Serves <paramref name="pattern"/> for <paramref name="methods"/> with a host-neutral
    /// <see cref="HttpHandler"/>, the same as one mapped on the built-in server.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>AddDuplex()</c> was not called.</exception>
    public static IEndpointConventionBuilder MapHttpHandler(this IEndpointRouteBuilder endpoints, string pattern, HttpHandler handler, params string[] methods)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(handler);
        DuplexHostLifetime host = Host(endpoints);
        ILogger log = Logger(host, "Duplex.AspNetCore.Http");
        string[] accepted = methods is { Length: > 0 } ? methods : ["GET"];
        return endpoints.MapMethods(pattern, accepted, context => HostedExchangeRunner.RunAsync(context, host.Options, log, handler));
    }

    private static DuplexHostLifetime Host(IEndpointRouteBuilder endpoints) =>
        endpoints.ServiceProvider.GetService<DuplexHostLifetime>()
        ?? throw new InvalidOperationException("Duplex's services are missing: call builder.Services.AddDuplex() before mapping Duplex endpoints.");

    private static ILogger Logger(DuplexHostLifetime host, string category) =>
        (ILogger?)host.Options.LoggerFactory?.CreateLogger(category) ?? NullLogger.Instance;
}
