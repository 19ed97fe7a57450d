using Duplex.Tests.Support;

namespace Duplex.Tests.Integration;

/// <summary>An endpoint keeps the upgrade request for its handler unless told not to.</summary>
public sealed class RetainRequestTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_handler_sees_the_request_only_when_the_endpoint_retains_it(bool retain)
    {
        var seen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var accepted = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using EchoServer server = await EchoServer.StartAsync(map: s => s.MapWebSocket(
            "/req",
            async (ws, ct) =>
            {
                seen.TrySetResult(ws.Request?.Query);
                await EchoServer.EchoAsync(ws, ct);
            },
            new WebSocketEndpointOptions
            {
                RetainRequest = retain,
                Accept = c =>
                {
                    // The accept hook sees the request either way.
                    accepted.TrySetResult(c.Request.Query);
                    return true;
                },
            }));

        await using WebSocketConnection ws = await EchoServer.ConnectAsync(server.Uri("/req?room=7"));

        Assert.Equal("room=7", await accepted.Task.Within("the accept hook"));
        string? query = await seen.Task.Within("the handler");
        Assert.Equal(retain ? "room=7" : null, query);
    }
}
