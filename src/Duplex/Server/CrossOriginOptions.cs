namespace Duplex;

/// <summary>
/// Cross-origin resource sharing (the Fetch standard's CORS protocol): which other origins'
/// pages may call this server from a browser, with which methods and headers. Set on
/// <see cref="DuplexServerOptions.Cors"/>; every response then carries <c>Vary: Origin</c>, a
/// request from an allowed origin gets <c>Access-Control-Allow-Origin</c>, and a preflight
/// (<c>OPTIONS</c> with <c>Access-Control-Request-Method</c>) is answered 204 when it asks for
/// what is allowed, 403 otherwise.
/// </summary>
public sealed class CrossOriginOptions
{
    /// <summary>The wildcard for <see cref="AllowedOrigins"/> and <see cref="AllowedHeaders"/>.</summary>
    public const string Any = "*";

    /// <summary>
    /// The origins allowed, as browsers send them in Origin: <c>scheme://host[:port]</c>, with no
    /// path and no default port (e.g. <c>https://app.example</c>). <see cref="Any"/> allows every
    /// origin (not with <see cref="AllowCredentials"/>). Default: none.
    /// </summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>The methods a cross-origin page may use. Default GET, HEAD and POST, what the realtime transports need.</summary>
    public IReadOnlyList<string> AllowedMethods { get; init; } = ["GET", "HEAD", "POST"];

    /// <summary>
    /// The request headers a cross-origin page may send beyond the ones browsers never ask about.
    /// Default Content-Type, so that a page may POST JSON; <see cref="Any"/> allows every header
    /// (not with <see cref="AllowCredentials"/>).
    /// </summary>
    public IReadOnlyList<string> AllowedHeaders { get; init; } = ["Content-Type"];

    /// <summary>Response headers a cross-origin page may read beyond the safelisted ones. Default none.</summary>
    public IReadOnlyList<string> ExposedHeaders { get; init; } = [];

    /// <summary>Whether pages may send cookies and credentials along (<c>Access-Control-Allow-Credentials: true</c>). Default false.</summary>
    public bool AllowCredentials { get; init; }

    /// <summary>How long a browser may cache a preflight's answer. Default 10 min: preflights stay rare, and a changed policy reaches browsers soon (Chromium caps it at 2 h).</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    internal void Validate()
    {
        OptionRules.Require(AllowedOrigins is not null, nameof(CrossOriginOptions), nameof(AllowedOrigins), "must be set", AllowedOrigins);
        OptionRules.Require(AllowedMethods is not null, nameof(CrossOriginOptions), nameof(AllowedMethods), "must be set", AllowedMethods);
        OptionRules.Require(AllowedHeaders is not null, nameof(CrossOriginOptions), nameof(AllowedHeaders), "must be set", AllowedHeaders);
        OptionRules.Require(ExposedHeaders is not null, nameof(CrossOriginOptions), nameof(ExposedHeaders), "must be set", ExposedHeaders);
        foreach (string origin in AllowedOrigins)
        {
            OptionRules.Require(origin == Any || IsOrigin(origin), nameof(CrossOriginOptions), nameof(AllowedOrigins), "must hold origins such as https://app.example (scheme, host and port only) or *", origin);
        }

        // Fetch: a response to a request with credentials may not allow every origin with "*".
        OptionRules.Require(!AllowCredentials || !Contains(AllowedOrigins, Any), nameof(CrossOriginOptions), nameof(AllowedOrigins), "cannot be * when AllowCredentials is true", Any);
        OptionRules.Require(!AllowCredentials || !Contains(AllowedHeaders, Any), nameof(CrossOriginOptions), nameof(AllowedHeaders), "cannot be * when AllowCredentials is true", Any);
        foreach (string method in AllowedMethods)
        {
            OptionRules.Require(IsToken(method), nameof(CrossOriginOptions), nameof(AllowedMethods), "must hold method tokens", method);
        }

        foreach (string header in AllowedHeaders)
        {
            OptionRules.Require(header == Any || IsToken(header), nameof(CrossOriginOptions), nameof(AllowedHeaders), "must hold header names or *", header);
        }

        foreach (string header in ExposedHeaders)
        {
            OptionRules.Require(IsToken(header), nameof(CrossOriginOptions), nameof(ExposedHeaders), "must hold header names", header);
        }

        OptionRules.Require(MaxAge >= TimeSpan.Zero, nameof(CrossOriginOptions), nameof(MaxAge), "must not be negative", MaxAge);
    }

    private static bool Contains(IReadOnlyList<string> values, string value)
    {
        foreach (string v in values)
        {
            if (v == value)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsToken(string? value) => HttpHeaders.IsToken(value);

    // The serialization of an origin (RFC 6454 §6.2): scheme "://" host [ ":" port ], lower case.
    private static bool IsOrigin(string? value) =>
        value is not null
        && Uri.TryCreate(value, UriKind.Absolute, out Uri? uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && string.Equals(uri.GetLeftPart(UriPartial.Authority), value, StringComparison.Ordinal);
}
