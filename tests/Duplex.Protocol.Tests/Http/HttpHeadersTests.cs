namespace Duplex.Protocol.Tests.Http;

public class HttpHeadersTests
{
    [Fact]
    public void Fields_keep_their_order_and_names()
    {
        var headers = new HttpHeaders { { "B", "2" }, { "a", "1" }, { "B", "3" } };
        Assert.Equal(3, headers.Count);
        Assert.Equal(["B", "a", "B"], headers.Select(f => f.Key));
    }

    [Fact]
    public void Names_compare_case_insensitively()
    {
        var headers = new HttpHeaders { { "Sec-WebSocket-Key", "k" } };
        Assert.True(headers.Contains("sec-websocket-key"));
        Assert.Equal("k", headers["SEC-WEBSOCKET-KEY"]);
        Assert.False(headers.Contains("Sec-WebSocket-Keys"));
    }

    [Fact]
    public void Indexer_joins_repeated_fields_with_comma_space_and_is_null_when_absent()
    {
        var headers = new HttpHeaders { { "Accept", "a" }, { "X", "y" }, { "accept", "b, c" } };
        Assert.Equal("a, b, c", headers["Accept"]);
        Assert.Null(headers["Missing"]);
    }

    [Fact]
    public void GetFirst_gives_the_first_line_and_counts_every_line_of_the_name()
    {
        var headers = new HttpHeaders { { "Host", "a" }, { "Other", "x" }, { "host", "b" } };

        Assert.Equal("a", headers.GetFirst("HOST", out int hosts));
        Assert.Equal(2, hosts);
        Assert.Equal("x", headers.GetFirst("other", out int others));
        Assert.Equal(1, others);
        Assert.Null(headers.GetFirst("Missing", out int missing));
        Assert.Equal(0, missing);
    }

    [Fact]
    public void GetValues_gives_each_field_line_as_received()
    {
        var headers = new HttpHeaders { { "Accept", "a" }, { "accept", "b, c" } };
        Assert.Equal(["a", "b, c"], headers.GetValues("ACCEPT"));
        Assert.Empty(headers.GetValues("Missing"));
    }

    [Fact]
    public void GetTokens_splits_repeated_and_comma_separated_values_and_drops_empty_elements()
    {
        // RFC 9110 §5.6.1: recipients accept empty list elements and ignore them.
        var headers = new HttpHeaders { { "Connection", " keep-alive ,\tUpgrade" }, { "CONNECTION", ", ,close,," } };
        Assert.Equal(["keep-alive", "Upgrade", "close"], headers.GetTokens("connection"));
        Assert.Empty(headers.GetTokens("Missing"));
    }

    [Theory]
    [InlineData("Upgrade")]
    [InlineData("keep-alive, Upgrade")]
    [InlineData("Upgrade, keep-alive")]
    [InlineData("keep-alive,upgrade")]
    [InlineData(" UPGRADE ")]
    public void ContainsToken_finds_a_token_in_a_list_ignoring_case(string value)
    {
        var headers = new HttpHeaders { { "Connection", value } };
        Assert.True(headers.ContainsToken("Connection", "Upgrade"));
    }

    [Theory]
    [InlineData("Upgrades")]
    [InlineData("keep-alive")]
    [InlineData("Up grade")]
    [InlineData("")]
    public void ContainsToken_does_not_match_part_of_a_token(string value)
    {
        var headers = new HttpHeaders { { "Connection", value } };
        Assert.False(headers.ContainsToken("Connection", "Upgrade"));
    }

    [Fact]
    public void ContainsToken_looks_in_every_field_with_the_name()
    {
        var headers = new HttpHeaders { { "Connection", "keep-alive" }, { "Connection", "Upgrade" } };
        Assert.True(headers.ContainsToken("CONNECTION", "upgrade"));
    }

    [Theory]
    [InlineData("Bad Name", "v")]
    [InlineData("", "v")]
    [InlineData("Name:", "v")]
    [InlineData("Name", "a\r\nInjected: yes")]
    [InlineData("Name", "a\nb")]
    [InlineData("Name", "a\0b")]
    [InlineData("Name", "\u0100")]
    public void Add_refuses_names_and_values_that_could_break_the_head(string name, string value)
    {
        var headers = new HttpHeaders();
        Assert.Throws<ArgumentException>(() => headers.Add(name, value));
        Assert.Empty(headers);
    }
}
