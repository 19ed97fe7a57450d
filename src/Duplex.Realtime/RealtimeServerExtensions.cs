namespace Duplex.Realtime;

/// <summary>Mounting a realtime endpoint on the built-in server.</summary>
public static class RealtimeServerExtensions
{
    /// <summary>
    /// Serves sessions under <paramref name="basePath"/> (e.g. <c>/realtime</c>: its
    /// <c>negotiate</c>, <c>ws</c>, <c>sse</c>, <c>poll</c>, <c>send</c> and <c>close</c>, and the
    /// browser client at <c>duplex.js</c>), each
    /// session with <paramref name="handler"/>, over every transport. The server's stop ends every
    /// session (<see cref="RealtimeCloseReasons.Shutdown"/>).
    /// </summary>
    /// <returns>The endpoint: its live sessions, to find one or list them.</returns>
    public static RealtimeEndpoint MapRealtime(this DuplexServer server, string basePath, RealtimeHandler handler, RealtimeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(basePath);
        string prefix = basePath.TrimEnd('/');
        if (!prefix.StartsWith('/'))
        {
            throw new ArgumentException("A base path starts with '/'.", nameof(basePath));
        }

        var endpoint = new RealtimeEndpoint(handler, options, server.LoggerFactory, server.Options.MeterFactory);
        foreach ((string method, string route) in RealtimeEndpoint.Routes)
        {
            string name = route;
            server.Map(method, prefix + "/" + route, (exchange, cancellationToken) => endpoint.HandleAsync(exchange, name, cancellationToken));
        }

        server.Stopping.Register(static state => _ = ((RealtimeEndpoint)state!).DisposeAsync().AsTask(), endpoint);
        return endpoint;
    }
}
