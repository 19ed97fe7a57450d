using Duplex.Protocol.Handshake;

namespace Duplex.Protocol.Tests.Handshake;

public class WebSocketKeyTests
{
    [Fact]
    public void Accept_for_the_RFC_6455_section_1_3_example_key()
    {
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketKey.ComputeAccept("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    [Fact]
    public void Accept_ignores_surrounding_whitespace_of_the_key()
    {
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketKey.ComputeAccept(" dGhlIHNhbXBsZSBub25jZQ==\t"));
    }

    [Fact]
    public void Generated_key_is_valid_and_fresh()
    {
        string first = WebSocketKey.Generate();
        string second = WebSocketKey.Generate();
        Assert.True(WebSocketKey.IsValid(first));
        Assert.Equal(16, Convert.FromBase64String(first).Length);
        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ==")]
    [InlineData(" dGhlIHNhbXBsZSBub25jZQ== ")]
    [InlineData("\tAAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("/+/+/+/+/+/+/+/+/+/+/w==")]
    public void Base64_of_16_bytes_is_a_valid_key(string key)
    {
        Assert.True(WebSocketKey.IsValid(key));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ")]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ=")]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ===")]
    [InlineData("dGhlIHNhbXBsZSBub25jZUE=")]
    [InlineData("dGhlIHNhbXBsZSBub25jZUFB")]
    [InlineData("dGhlIHNhbXBsZSBub25jZUFBQQ==")]
    [InlineData("dGhlIHNhbXBsZSBub25j*Q==")]
    [InlineData("dGhlIHNhbXBs ZSBub25jZQ==")]
    [InlineData("the sample nonce")]
    public void Anything_but_base64_of_16_bytes_is_an_invalid_key(string? key)
    {
        Assert.False(WebSocketKey.IsValid(key));
    }
}
