using Duplex.Protocol.Http;

namespace Duplex.Protocol.Tests.Http;

public class HttpParseErrorsTests
{
    [Theory]
    [InlineData(HttpParseError.HeadTooLarge, 431)]
    [InlineData(HttpParseError.TooManyHeaders, 431)]
    [InlineData(HttpParseError.HeaderLineTooLong, 431)]
    [InlineData(HttpParseError.StartLineTooLong, 414)]
    [InlineData(HttpParseError.UnsupportedHttpVersion, 505)]
    [InlineData(HttpParseError.InvalidRequestLine, 400)]
    [InlineData(HttpParseError.InvalidStatusLine, 400)]
    [InlineData(HttpParseError.InvalidHeaderName, 400)]
    [InlineData(HttpParseError.InvalidHeaderValue, 400)]
    [InlineData(HttpParseError.ObsoleteLineFolding, 400)]
    [InlineData(HttpParseError.BareLineFeed, 400)]
    [InlineData(HttpParseError.MissingColon, 400)]
    public void Each_error_maps_to_the_status_the_RFCs_name(HttpParseError error, int status)
    {
        Assert.Equal(status, HttpParseErrors.StatusCodeFor(error));
    }

    [Fact]
    public void None_has_no_status_code()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HttpParseErrors.StatusCodeFor(HttpParseError.None));
    }

    [Fact]
    public void Every_error_has_its_own_sentence()
    {
        HttpParseError[] errors = Enum.GetValues<HttpParseError>();
        string[] sentences = [.. errors.Select(HttpParseErrors.Describe)];
        Assert.All(sentences, s => Assert.EndsWith(".", s, StringComparison.Ordinal));
        Assert.Equal(errors.Length, sentences.Distinct().Count());
    }
}
