using System.Net;
using System.Text.Json;
using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Server;

/// <summary>docs/PROTOCOL.md §5: a 410 for a session that ended says why, so a client that missed the <c>c</c> (a short poll after the close) still learns it.</summary>
public sealed class EndedReasonTests
{
    [Fact]
    public async Task A_request_after_the_handler_closed_the_session_is_410_with_the_reason()
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(handler: async (session, ct) =>
        {
            await session.CloseAsync(RealtimeCloseReasons.Shutdown);
            closed.TrySetResult();
        });
        (string session, _) = await server.NegotiateAsync();
        await closed.Task.Within("the handler's close");

        (HttpStatusCode status, string body) = await server.PollAsync(session, 0, wait: false);

        Assert.Equal(HttpStatusCode.Gone, status);
        using JsonDocument answer = JsonDocument.Parse(body);
        Assert.Equal("session-expired", answer.RootElement.GetProperty("error").GetString());
        Assert.Equal(RealtimeCloseReasons.Shutdown, answer.RootElement.GetProperty("reason").GetString());
    }
}
