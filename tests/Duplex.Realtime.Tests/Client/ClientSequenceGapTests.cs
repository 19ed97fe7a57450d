using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Duplex.Realtime.Protocol;
using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Client;

/// <summary>
/// docs/PROTOCOL.md §4: a <c>send</c> refused with <c>409 sequence-gap</c> and <c>"a":M</c> makes
/// the client take M as acknowledged and send from M + 1. A correct server cannot be brought to
/// answer so to this client, so a scripted one does: it claims to have messages up to 2 when the
/// client first sends message 3.
/// </summary>
public sealed class ClientSequenceGapTests
{
    [Fact]
    public async Task After_a_409_the_client_sends_from_the_servers_number_plus_one()
    {
        var bodies = new ConcurrentQueue<string>();
        long received = 0;
        bool gapSent = false;
        var server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0 });
        await using (server)
        {
            server.MapPost("/realtime/negotiate", (exchange, ct) => exchange.RespondAsync(
                200,
                "application/json",
                """{"version":1,"session":"AAAAAAAAAAAAAAAAAAAAAA","transports":["polling"],"heartbeatMs":15000,"resumeWindowMs":120000,"pollHoldMs":15000,"pollIntervalMs":50,"limits":{"maxMessageBytes":1024,"maxSendBytes":65536,"maxQueuedMessages":100,"maxQueuedBytes":65536}}"""u8.ToArray(),
                ct));
            server.MapGet("/realtime/poll", (exchange, ct) => exchange.RespondAsync(
                200, "application/json", Encoding.UTF8.GetBytes($$"""[{"t":"o","a":{{Interlocked.Read(ref received)}},"w":0}]"""), ct));
            server.MapPost("/realtime/send", async (exchange, ct) =>
            {
                string body = Encoding.UTF8.GetString(await exchange.ReadBodyToEndAsync(65536, ct));
                var envelopes = new List<Envelope>();
                Assert.Equal(EnvelopeError.None, EnvelopeJson.TryReadArray(Encoding.UTF8.GetBytes(body), 100, 1024, envelopes));
                if (!gapSent && envelopes.Exists(e => e.Sequence == 3))
                {
                    gapSent = true;
                    Interlocked.Exchange(ref received, 2);
                    await exchange.RespondAsync(409, "application/json", """{"error":"sequence-gap","message":"scripted","a":2}"""u8.ToArray(), ct);
                    return;
                }

                if (gapSent)
                {
                    bodies.Enqueue(body);
                }

                long highest = envelopes.Where(e => e.Type == EnvelopeType.Message).Select(e => e.Sequence).DefaultIfEmpty(0).Max();
                long now = Math.Max(Interlocked.Read(ref received), highest);
                Interlocked.Exchange(ref received, now);
                await exchange.RespondAsync(200, "application/json", Encoding.UTF8.GetBytes($$"""{"t":"a","a":{{now}}}"""), ct);
            });
            server.MapPost("/realtime/close", (exchange, ct) =>
            {
                exchange.StatusCode = 204;
                return exchange.CompleteAsync();
            });
            await server.StartAsync();

            await using var client = new RealtimeClient(new Uri($"http://127.0.0.1:{server.LocalEndPoint.Port}/realtime"));
            await client.ConnectAsync().Within("connect");
            for (int i = 1; i <= 4; i++)
            {
                await client.SendTextAsync($"m{i}").Within("send");
            }

            await client.CloseAsync().Within("close");

            Assert.True(gapSent);
            Assert.Equal(0, client.PendingCount);
            Assert.StartsWith("""[{"t":"m","s":3,"d":"m3"}""", bodies.First(), StringComparison.Ordinal);
            Assert.Equal(4, Interlocked.Read(ref received));
        }
    }
}
