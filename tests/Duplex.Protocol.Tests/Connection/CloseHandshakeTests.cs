using Duplex.Protocol.Connection;

namespace Duplex.Protocol.Tests.Connection;

/// <summary>RFC 6455 §5.5.1 and §7: the closing handshake's transitions.</summary>
public class CloseHandshakeTests
{
    [Fact]
    public void New_connection_is_open_and_may_send_data()
    {
        var handshake = new CloseHandshake();

        Assert.Equal(WebSocketState.Open, handshake.State);
        Assert.True(handshake.CanSendData);
    }

    [Fact]
    public void Open_then_send_close_is_CloseSent_and_sends_no_more_data()
    {
        var handshake = new CloseHandshake();

        Assert.True(handshake.TrySendClose());

        Assert.Equal(WebSocketState.CloseSent, handshake.State);
        Assert.False(handshake.CanSendData);
    }

    [Fact]
    public void CloseSent_then_receive_close_is_Closed_without_an_echo()
    {
        var handshake = new CloseHandshake();
        handshake.TrySendClose();

        Assert.False(handshake.ReceiveClose());

        Assert.Equal(WebSocketState.Closed, handshake.State);
    }

    [Fact]
    public void Open_then_receive_close_is_CloseReceived_and_must_echo()
    {
        var handshake = new CloseHandshake();

        Assert.True(handshake.ReceiveClose());

        Assert.Equal(WebSocketState.CloseReceived, handshake.State);
        Assert.False(handshake.CanSendData);
    }

    [Fact]
    public void CloseReceived_then_send_close_is_Closed()
    {
        var handshake = new CloseHandshake();
        handshake.ReceiveClose();

        Assert.True(handshake.TrySendClose());

        Assert.Equal(WebSocketState.Closed, handshake.State);
    }

    [Fact]
    public void Second_close_is_not_sent_after_CloseSent()
    {
        var handshake = new CloseHandshake();
        handshake.TrySendClose();

        Assert.False(handshake.TrySendClose());

        Assert.Equal(WebSocketState.CloseSent, handshake.State);
    }

    [Fact]
    public void Close_is_not_sent_once_Closed()
    {
        var handshake = new CloseHandshake();
        handshake.ReceiveClose();
        handshake.TrySendClose();

        Assert.False(handshake.TrySendClose());

        Assert.Equal(WebSocketState.Closed, handshake.State);
    }

    [Fact]
    public void Second_close_received_asks_for_no_second_echo()
    {
        var handshake = new CloseHandshake();
        handshake.ReceiveClose();

        Assert.False(handshake.ReceiveClose());

        Assert.Equal(WebSocketState.CloseReceived, handshake.State);
    }

    [Fact]
    public void Close_received_once_Closed_asks_for_no_echo()
    {
        var handshake = new CloseHandshake();
        handshake.TrySendClose();
        handshake.ReceiveClose();

        Assert.False(handshake.ReceiveClose());

        Assert.Equal(WebSocketState.Closed, handshake.State);
    }

    [Theory]
    [InlineData(WebSocketState.Open)]
    [InlineData(WebSocketState.CloseSent)]
    [InlineData(WebSocketState.CloseReceived)]
    [InlineData(WebSocketState.Closed)]
    public void Abort_from_any_state_is_Closed_and_sends_nothing_more(WebSocketState from)
    {
        var handshake = Reach(from);

        handshake.Abort();

        Assert.Equal(WebSocketState.Closed, handshake.State);
        Assert.False(handshake.CanSendData);
        Assert.False(handshake.TrySendClose());
        Assert.False(handshake.ReceiveClose());
    }

    // The whole table: (state, event) -> (new state, what the method returned).
    [Theory]
    [InlineData(WebSocketState.Open, "send", WebSocketState.CloseSent, true)]
    [InlineData(WebSocketState.Open, "receive", WebSocketState.CloseReceived, true)]
    [InlineData(WebSocketState.CloseSent, "send", WebSocketState.CloseSent, false)]
    [InlineData(WebSocketState.CloseSent, "receive", WebSocketState.Closed, false)]
    [InlineData(WebSocketState.CloseReceived, "send", WebSocketState.Closed, true)]
    [InlineData(WebSocketState.CloseReceived, "receive", WebSocketState.CloseReceived, false)]
    [InlineData(WebSocketState.Closed, "send", WebSocketState.Closed, false)]
    [InlineData(WebSocketState.Closed, "receive", WebSocketState.Closed, false)]
    public void Transition_table_matches_section_7(WebSocketState from, string action, WebSocketState to, bool returned)
    {
        var handshake = Reach(from);

        bool result = action == "send" ? handshake.TrySendClose() : handshake.ReceiveClose();

        Assert.Equal(to, handshake.State);
        Assert.Equal(returned, result);
    }

    private static CloseHandshake Reach(WebSocketState state)
    {
        var handshake = new CloseHandshake();
        switch (state)
        {
            case WebSocketState.CloseSent:
                handshake.TrySendClose();
                break;
            case WebSocketState.CloseReceived:
                handshake.ReceiveClose();
                break;
            case WebSocketState.Closed:
                handshake.Abort();
                break;
        }

        Assert.Equal(state, handshake.State);
        return handshake;
    }
}
