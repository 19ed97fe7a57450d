using Duplex.Protocol.Closing;

namespace Duplex.Protocol.Tests.Closing;

/// <summary>RFC 6455 §7.4.1-§7.4.2: which close codes may appear on the wire.</summary>
public class CloseStatusRulesTests
{
    [Theory]
    [InlineData(1000)]
    [InlineData(1001)]
    [InlineData(1002)]
    [InlineData(1003)]
    [InlineData(1007)]
    [InlineData(1008)]
    [InlineData(1009)]
    [InlineData(1010)]
    [InlineData(1011)]
    [InlineData(1012)]
    [InlineData(1013)]
    [InlineData(1014)]
    [InlineData(3000)]
    [InlineData(3999)]
    [InlineData(4000)]
    [InlineData(4999)]
    public void Defined_and_registered_or_private_codes_may_be_sent(int code)
    {
        Assert.True(CloseStatusRules.IsValidOnWire(code));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(1004)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(1016)]
    [InlineData(2000)]
    [InlineData(2999)]
    [InlineData(5000)]
    [InlineData(65535)]
    public void Reserved_unused_and_never_sent_codes_may_not_be_sent(int code)
    {
        Assert.False(CloseStatusRules.IsValidOnWire(code));
    }

    [Fact]
    public void Status_names_have_their_RFC_numbers()
    {
        Assert.Equal(1002, (int)CloseStatus.ProtocolError);
        Assert.Equal(1007, (int)CloseStatus.InvalidPayloadData);
        Assert.Equal(1009, (int)CloseStatus.MessageTooBig);
        Assert.Equal(1012, (int)CloseStatus.ServiceRestart);
        Assert.Equal(1013, (int)CloseStatus.TryAgainLater);
        Assert.Equal(1014, (int)CloseStatus.BadGateway);
    }
}
