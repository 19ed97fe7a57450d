namespace Duplex.Tests.Http;

/// <summary>The HTTP options are checked at construction, with a message naming the option, the rule and the value; their defaults are the documented ones.</summary>
public sealed class HttpOptionsTests
{
    public static TheoryData<string, Func<DuplexServerOptions>> OutOfRange() => new()
    {
        { "DuplexServerOptions.KeepAliveTimeout must be a positive time", () => new DuplexServerOptions { KeepAliveTimeout = TimeSpan.Zero } },
        { "DuplexServerOptions.RequestBodyTimeout must be a positive time", () => new DuplexServerOptions { RequestBodyTimeout = Timeout.InfiniteTimeSpan } },
        { "DuplexServerOptions.MaxRequestBodySize must not be negative (it is -1)", () => new DuplexServerOptions { MaxRequestBodySize = -1 } },
        { "DuplexServerOptions.MaxDrainedRequestBodySize must not be negative (it is -5)", () => new DuplexServerOptions { MaxDrainedRequestBodySize = -5 } },
        { "DuplexServerOptions.ResponseBufferSize must be at least 1 (it is 0)", () => new DuplexServerOptions { ResponseBufferSize = 0 } },
        { "CrossOriginOptions.MaxAge must not be negative", () => new DuplexServerOptions { Cors = new CrossOriginOptions { AllowedOrigins = ["https://a.example"], MaxAge = TimeSpan.FromSeconds(-1) } } },
        { "CrossOriginOptions.AllowedMethods must hold method tokens (it is GE T)", () => new DuplexServerOptions { Cors = new CrossOriginOptions { AllowedMethods = ["GE T"] } } },
        { "CrossOriginOptions.AllowedHeaders cannot be * when AllowCredentials is true", () => new DuplexServerOptions { Cors = new CrossOriginOptions { AllowedHeaders = ["*"], AllowCredentials = true } } },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Option_out_of_range_is_refused_at_construction_by_name(string message, Func<DuplexServerOptions> options)
    {
        var ex = Assert.Throws<ArgumentException>(() => new DuplexServer(options()));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_the_documented_safe_ones()
    {
        var options = new DuplexServerOptions();

        Assert.Equal(TimeSpan.FromMinutes(2), options.KeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RequestBodyTimeout);
        Assert.Equal(1 << 20, options.MaxRequestBodySize);
        Assert.Equal(64 << 10, options.MaxDrainedRequestBodySize);
        Assert.Equal(16 << 10, options.ResponseBufferSize);
        Assert.Null(options.Cors);
        Assert.Equal(4096, HttpLimits.Default.MaxChunkLineLength);
    }
}
