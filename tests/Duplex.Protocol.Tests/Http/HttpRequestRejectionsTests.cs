using Duplex.Protocol.Http;

namespace Duplex.Protocol.Tests.Http;

public class HttpRequestRejectionsTests
{
    public static TheoryData<HttpRequestRejection> Rejections()
    {
        var data = new TheoryData<HttpRequestRejection>();
        foreach (HttpRequestRejection rejection in Enum.GetValues<HttpRequestRejection>())
        {
            if (rejection != HttpRequestRejection.None)
            {
                data.Add(rejection);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Rejections))]
    public void Every_rejection_maps_to_a_client_error_or_not_implemented_status_and_its_own_sentence(HttpRequestRejection rejection)
    {
        int status = HttpRequestRejections.StatusCodeFor(rejection);

        Assert.Contains(status, new[] { 400, 408, 413, 414, 417, 431, 501, 505 });
        Assert.NotEqual("The request is malformed.", HttpRequestRejections.Describe(rejection));
    }

    [Fact]
    public void Every_rejection_has_a_different_sentence()
    {
        var sentences = Enum.GetValues<HttpRequestRejection>().Select(HttpRequestRejections.Describe).ToList();
        Assert.Equal(sentences.Count, sentences.Distinct().Count());
    }

    [Fact]
    public void None_has_no_status()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HttpRequestRejections.StatusCodeFor(HttpRequestRejection.None));
    }

    [Theory]
    [InlineData(HttpParseError.HeadTooLarge, HttpRequestRejection.HeadTooLarge)]
    [InlineData(HttpParseError.StartLineTooLong, HttpRequestRejection.RequestLineTooLong)]
    [InlineData(HttpParseError.UnsupportedHttpVersion, HttpRequestRejection.UnsupportedHttpVersion)]
    [InlineData(HttpParseError.ObsoleteLineFolding, HttpRequestRejection.ObsoleteLineFolding)]
    public void Head_parse_errors_become_the_rejection_of_the_same_name(HttpParseError error, HttpRequestRejection expected)
    {
        Assert.Equal(expected, HttpRequestRejections.FromParseError(error));
        Assert.Equal(HttpParseErrors.StatusCodeFor(error), HttpRequestRejections.StatusCodeFor(expected));
    }

    [Fact]
    public void Every_head_parse_error_has_a_rejection_with_the_same_status()
    {
        foreach (HttpParseError error in Enum.GetValues<HttpParseError>())
        {
            if (error is HttpParseError.None or HttpParseError.InvalidStatusLine)
            {
                continue;
            }

            Assert.Equal(HttpParseErrors.StatusCodeFor(error), HttpRequestRejections.StatusCodeFor(HttpRequestRejections.FromParseError(error)));
        }
    }
}
