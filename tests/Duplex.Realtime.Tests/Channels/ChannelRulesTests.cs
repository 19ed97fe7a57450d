using Duplex.Realtime.Channels;

namespace Duplex.Realtime.Tests.Channels;

public sealed class ChannelRulesTests
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("room:lobby")]
    [InlineData("prices/EURUSD")]
    [InlineData("user@example.org")]
    [InlineData("a")]
    [InlineData("A-b_c.d")]
    public void Plain_names_are_channel_names(string name) => Assert.True(ChannelName.IsValid(name));

    [Theory]
    [InlineData("")]
    [InlineData(":room")]
    [InlineData("/room")]
    [InlineData("room lobby")]
    [InlineData("room\nlobby")]
    [InlineData("κανάλι")]
    [InlineData("room*")]
    public void Empty_spaced_non_ascii_or_leading_separator_names_are_refused(string name) => Assert.False(ChannelName.IsValid(name));

    [Fact]
    public void Names_are_limited_in_length()
    {
        Assert.True(ChannelName.IsValid(new string('a', ChannelName.MaxLength)));
        Assert.False(ChannelName.IsValid(new string('a', ChannelName.MaxLength + 1)));
    }

    [Fact]
    public void Epochs_are_new_every_time_and_short()
    {
        string[] epochs = Enumerable.Range(0, 100).Select(_ => ChannelEpoch.New()).ToArray();
        Assert.Equal(100, epochs.Distinct().Count());
        Assert.All(epochs, e => Assert.Equal(12, e.Length));
    }

    [Fact]
    public void A_retried_key_is_recognised_within_the_window_and_forgotten_after_it()
    {
        var keys = new IdempotencyKeys(maxKeys: 100, TimeSpan.FromMinutes(10));
        keys.Remember("c1-7", 42, s_start);
        Assert.True(keys.TryGet("c1-7", s_start.AddMinutes(9), out long number));
        Assert.Equal(42, number);
        Assert.False(keys.TryGet("c1-8", s_start.AddMinutes(9), out _));
        Assert.False(keys.TryGet("c1-7", s_start.AddMinutes(11), out _));
        Assert.Equal(0, keys.Count);
    }

    [Fact]
    public void Keys_are_bounded_in_count_oldest_forgotten_first()
    {
        var keys = new IdempotencyKeys(maxKeys: 3, TimeSpan.FromMinutes(10));
        for (int i = 1; i <= 5; i++)
        {
            keys.Remember($"k{i}", i, s_start);
        }

        Assert.Equal(3, keys.Count);
        Assert.False(keys.TryGet("k2", s_start, out _));
        Assert.True(keys.TryGet("k3", s_start, out _));
    }

    [Fact]
    public void A_key_remembered_twice_keeps_its_first_number()
    {
        var keys = new IdempotencyKeys(10, TimeSpan.FromMinutes(10));
        keys.Remember("k", 1, s_start);
        keys.Remember("k", 2, s_start);
        Assert.True(keys.TryGet("k", s_start, out long number));
        Assert.Equal(1, number);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("c1-7", true)]
    [InlineData("has space", false)]
    [InlineData("é", false)]
    public void Keys_are_printable_ascii(string key, bool valid) => Assert.Equal(valid, IdempotencyKeys.IsValid(key));

    [Fact]
    public void Presence_announces_each_join_and_leave_once()
    {
        var presence = new ChannelPresence();
        Assert.True(presence.Join("p2", """{"name":"Bo"}"""));
        Assert.True(presence.Join("p1", """{"name":"Al"}"""));
        Assert.False(presence.Join("p1", """{"name":"Al2"}"""));
        Assert.Equal([new ChannelMember("p1", """{"name":"Al2"}"""), new ChannelMember("p2", """{"name":"Bo"}""")], presence.Members());
        Assert.True(presence.Leave("p1"));
        Assert.False(presence.Leave("p1"));
        Assert.Equal(1, presence.Count);
    }

    [Fact]
    public void Presence_info_is_bounded()
    {
        var presence = new ChannelPresence();
        Assert.Throws<ArgumentOutOfRangeException>(() => presence.Join("p", new string('x', ChannelPresence.MaxInfoBytes + 1)));

        // Counted in UTF-8 bytes: 400 two-byte characters are 800 bytes (fine), 600 are 1,200 (not).
        Assert.True(presence.Join("q", "\"" + new string('é', 400) + "\""));
        Assert.Throws<ArgumentOutOfRangeException>(() => presence.Join("r", "\"" + new string('é', 600) + "\""));
        Assert.Equal(1, presence.Count);
    }
}
