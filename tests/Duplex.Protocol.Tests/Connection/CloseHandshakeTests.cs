using Duplex.Protocol.Connection;

namespace Duplex.Protocol.Tests.Connection;

/// <summary>RFC 6455 §5.5.1 and §7: the closing handshake's transitions.</summary>
public class CloseHandshakeTests
{
    [Fact]
    public void New_connection_is_open_and_may_send_data()
    {
        var handshake = new CloseHandshake();

        Assert.Equal(WebSocketConnectionState.Open, handshake.State);
        Assert.True(handshake.CanSendData);
    }

    [Fact]
    public void Open_then_send_close_is_CloseSent_and_sends_no_more_data()
    {
        var handshake = new CloseHandshake();

        Assert.True(handshake.TrySendClose());

        Assert.Equal(WebSocketConnectionState.CloseSent, handshake.State);
        Assert.False(handshake.CanSendData);
    }

    [Fact]
    public void CloseSent_then_receive_close_is_Closed_without_an_echo()
    {
        var handshake = new CloseHandshake();
        handshake.TrySendClose();

        Assert.False(handshake.ReceiveClose());

        Assert.Equal(WebSocketConnectionState.Closed, handshake.State);
    }

    [Fact]
    public void Open_then_receive_close_is_CloseReceived_and_must_echo()
    {
        var handshake = new CloseHandshake();

        Assert.True(handshake.ReceiveClose());

        Assert.Equal(WebSocketConnectionState.CloseReceived, handshake.State);
        Assert.False(handshake.CanSendData);
    }

    [Fact]
    public void CloseReceived_then_send_close_is_Closed()
    {
        var handshake = new CloseHandshake();
        handshake.ReceiveClose();

        Assert.True(handshake.TrySendClose());

        Assert.Equal(WebSocketConnectionState.Closed, handshake.State);
    }

    [Fact]
    public void Second_close_is_not_sent_after_CloseSent()
    {
        var handshake = new CloseHandshake();
        handshake.TrySendClose();

        Assert.False(handshake.TrySendClose());

        Assert.Equal(WebSocketConnectionState.CloseSent, handshake.State);
    }

    [Fact]
    public void Close_is_not_sent_once_Closed()
    {
        var handshake = new CloseHandshake();
        handshake.ReceiveClose();
        handshake.TrySendClose();

        Assert.False(handshake.TrySendClose());

        Assert.Equal(WebSocketConnectionState.Closed, handshake.State);
    }

    [Fact]
    public void Second_close_received_asks_for_no_second_echo()
    {
        var handshake = new CloseHandshake();
        handshake.ReceiveClose();

        Assert.False(handshake.ReceiveClose());

        Assert.Equal(WebSocketConnectionState.CloseReceived, handshake.State);
    }

    [Fact]
    public void Close_received_once_Closed_asks_for_no_echo()
    {
        var handshake = new CloseHandshake();
        handshake.TrySendClose();
        handshake.ReceiveClose();

        Assert.False(handshake.ReceiveClose());

        Assert.Equal(WebSocketConnectionState.Closed, handshake.State);
    }

    [Theory]
    [InlineData(WebSocketConnectionState.Open)]
    [InlineData(WebSocketConnectionState.CloseSent)]
    [InlineData(WebSocketConnectionState.CloseReceived)]
    [InlineData(WebSocketConnectionState.Closed)]
    public void Abort_from_any_state_is_Closed_and_sends_nothing_more(WebSocketConnectionState from)
    {
        var handshake = Reach(from);

        handshake.Abort();

        Assert.Equal(WebSocketConnectionState.Closed, handshake.State);
        Assert.False(handshake.CanSendData);
        Assert.False(handshake.TrySendClose());
        Assert.False(handshake.ReceiveClose());
    }

    // The whole table: (state, event) -> (new state, what the method returned).
    [Theory]
    [InlineData(WebSocketConnectionState.Open, "send", WebSocketConnectionState.CloseSent, true)]
    [InlineData(WebSocketConnectionState.Open, "receive", WebSocketConnectionState.CloseReceived, true)]
    [InlineData(WebSocketConnectionState.CloseSent, "send", WebSocketConnectionState.CloseSent, false)]
    [InlineData(WebSocketConnectionState.CloseSent, "receive", WebSocketConnectionState.Closed, false)]
    [InlineData(WebSocketConnectionState.CloseReceived, "send", WebSocketConnectionState.Closed, true)]
    [InlineData(WebSocketConnectionState.CloseReceived, "receive", WebSocketConnectionState.CloseReceived, false)]
    [InlineData(WebSocketConnectionState.Closed, "send", WebSocketConnectionState.Closed, false)]
    [InlineData(WebSocketConnectionState.Closed, "receive", WebSocketConnectionState.Closed, false)]
    public void Transition_table_matches_section_7(WebSocketConnectionState from, string action, WebSocketConnectionState to, bool returned)
    {
        var handshake = Reach(from);

        bool result = action == "send" ? handshake.TrySendClose() : handshake.ReceiveClose();

        Assert.Equal(to, handshake.State);
        Assert.Equal(returned, result);
    }

    private static CloseHandshake Reach(WebSocketConnectionState state)
    {
        var handshake = new CloseHandshake();
        switch (state)
        {
            case WebSocketConnectionState.CloseSent:
                handshake.TrySendClose();
                break;
            case WebSocketConnectionState.CloseReceived:
                handshake.ReceiveClose();
                break;
            case WebSocketConnectionState.Closed:
                handshake.Abort();
                break;
        }

        Assert.Equal(state, handshake.State);
        return handshake;
    }
}
