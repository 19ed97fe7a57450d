using Duplex;
using Duplex.AspNetCore;
using Duplex.Cli;

namespace KestrelBench;

/// <summary>
/// The endpoints of <c>duplex echo</c> on Kestrel through Duplex.AspNetCore: the same handlers
/// (<see cref="Endpoints.EchoAsync"/> and <see cref="BroadcastHub"/>, compiled in from
/// src/Duplex.Cli) and the same connection options as the built-in server's, so that the host is
/// all that differs from <c>duplex echo</c>, and the engine all that differs from the middleware mode.
/// </summary>
internal static class DuplexEndpoints
{
    public static void AddServices(IServiceCollection services) =>
        services.AddDuplex(duplex => duplex.WebSocket = new WebSocketConnectionOptions
        {
            // As `duplex echo`: room for the largest messages of benchmarks.
            MaxMessageSize = 64 * 1024 * 1024,
        });

    public static void Map(WebApplication app)
    {
        var hub = new BroadcastHub();
        // No handler here reads the upgrade request: do not keep it per connection.
        var endpoint = new WebSocketEndpointOptions { RetainRequest = false };
        app.MapWebSocket("/echo", Endpoints.EchoAsync, endpoint);
        app.MapWebSocket("/publish", hub.PublishAsync, endpoint);
        app.MapWebSocket("/broadcast", hub.SubscribeAsync, endpoint);
    }
}
