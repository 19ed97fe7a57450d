using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Client;

/// <summary>Each transport end to end against the real endpoint over loopback: text and binary both ways, in order, many.</summary>
public sealed class ClientTransportTests
{
    public static TheoryData<RealtimeTransport> Transports => new(RealtimeTransports.All);

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Carries_text_and_binary_both_ways_in_order(RealtimeTransport transport)
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync();
        var events = new EventLog();
        RealtimeClient client = fixture.Client(ClientFixture.ClientOptions(transport), events);

        await client.ConnectAsync().Within("connect");

        Assert.Equal(RealtimeClientState.Connected, client.State);
        Assert.Equal(transport, client.Transport);
        Assert.NotNull(client.SessionId);
        Task receiving = Traffic.ExpectAsync(client, 0, 300);
        await Traffic.SendAsync(client, 0, 300);
        await receiving;
        await client.CloseAsync().Within("close");
        Assert.Equal(0, client.PendingCount);
        Assert.Equal(RealtimeClientState.Closed, client.State);
        Assert.Equal([RealtimeClientEventKind.Connecting, RealtimeClientEventKind.Connected, RealtimeClientEventKind.Closed], events.Kinds);
        Assert.Equal(transport, events.All[1].Transport);
        Assert.Equal("closed", events.All[2].Reason);
        await Assert.ThrowsAsync<RealtimeSessionClosedException>(() => client.ReceiveAsync().AsTask()).Within("receive after close");
        await Assert.ThrowsAsync<RealtimeSessionClosedException>(() => client.SendTextAsync("late").AsTask()).Within("send after close");
        Assert.True(client.Statistics.BytesSent > 0 && client.Statistics.BytesReceived > 0);
    }
}
