using System.Globalization;

namespace Duplex.Server;

/// <summary>
/// The server's CORS answers (the Fetch standard's CORS protocol), built once from
/// <see cref="CrossOriginOptions"/>: the headers an actual request gets, and the answer to a
/// preflight.
/// </summary>
internal sealed class CorsPolicy
{
    internal const string Origin = "Origin";
    internal const string RequestMethod = "Access-Control-Request-Method";
    internal const string RequestHeaders = "Access-Control-Request-Headers";
    private const string AllowOrigin = "Access-Control-Allow-Origin";
    private const string AllowCredentials = "Access-Control-Allow-Credentials";
    private const string AllowMethods = "Access-Control-Allow-Methods";
    private const string AllowHeaders = "Access-Control-Allow-Headers";
    private const string ExposeHeaders = "Access-Control-Expose-Headers";
    private const string MaxAge = "Access-Control-Max-Age";
    private const string Vary = "Vary";
    private const string VaryActual = "Origin";
    private const string VaryPreflight = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

    private readonly HashSet<string> _origins;
    private readonly bool _anyOrigin;
    private readonly HashSet<string> _methods;
    private readonly HashSet<string> _headers;
    private readonly bool _anyHeader;
    private readonly bool _credentials;
    private readonly string _allowMethods;
    private readonly string? _exposeHeaders;
    private readonly string _maxAge;

    public CorsPolicy(CrossOriginOptions options)
    {
        // RFC 6454 §6.2: browsers send origins in lower case; hosts compare without case anyway.
        _origins = new HashSet<string>(options.AllowedOrigins, StringComparer.OrdinalIgnoreCase);
        _anyOrigin = _origins.Contains(CrossOriginOptions.Any);

        // Methods are case-sensitive (RFC 9110 §9.1); header names are not (§5.1).
        _methods = new HashSet<string>(options.AllowedMethods, StringComparer.Ordinal);
        _headers = new HashSet<string>(options.AllowedHeaders, StringComparer.OrdinalIgnoreCase);
        _anyHeader = _headers.Contains(CrossOriginOptions.Any);
        _credentials = options.AllowCredentials;
        _allowMethods = string.Join(", ", options.AllowedMethods);
        _exposeHeaders = options.ExposedHeaders.Count == 0 ? null : string.Join(", ", options.ExposedHeaders);
        _maxAge = ((long)options.MaxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A CORS preflight: OPTIONS with Origin and Access-Control-Request-Method.</summary>
    public static bool IsPreflight(HttpRequestHead request) =>
        request.Method == "OPTIONS" && request.Headers.Contains(Origin) && request.Headers.Contains(RequestMethod);

    /// <summary>
    /// Adds the headers an actual request gets: <c>Vary: Origin</c> always (the answer depends on
    /// it, and a cache must know), the allowed origin and the rest when the Origin is allowed.
    /// </summary>
    public void AddResponseHeaders(HttpHeaders request, HttpHeaders response)
    {
        response.Add(Vary, VaryActual);
        string? origin = request.GetFirst(Origin, out int count);
        if (count != 1 || !IsAllowed(origin!))
        {
            return;
        }

        AddOrigin(origin!, response);
        if (_exposeHeaders is not null)
        {
            response.Add(ExposeHeaders, _exposeHeaders);
        }
    }

    /// <summary>
    /// Answers a preflight: true with the allowing headers added when the origin, the method and
    /// every requested header are allowed; false with a reason otherwise.
    /// </summary>
    public bool TryAllowPreflight(HttpHeaders request, HttpHeaders response, out string reason)
    {
        response.Add(Vary, VaryPreflight);
        string? origin = request.GetFirst(Origin, out int count);
        if (count != 1 || !IsAllowed(origin!))
        {
            reason = $"CORS preflight from origin {origin} not allowed";
            return false;
        }

        string method = request[RequestMethod] ?? string.Empty;
        if (!_methods.Contains(method))
        {
            reason = $"CORS preflight for method {method} not allowed";
            return false;
        }

        string? requested = request[RequestHeaders];
        if (requested is not null && !_anyHeader)
        {
            foreach (string header in request.GetTokens(RequestHeaders))
            {
                if (!_headers.Contains(header))
                {
                    reason = $"CORS preflight for header {header} not allowed";
                    return false;
                }
            }
        }

        AddOrigin(origin!, response);
        response.Add(AllowMethods, _allowMethods);
        if (!string.IsNullOrWhiteSpace(requested))
        {
            // Echo what was asked: every name in it is allowed.
            response.Add(AllowHeaders, requested);
        }

        response.Add(MaxAge, _maxAge);
        reason = string.Empty;
        return true;
    }

    private bool IsAllowed(string origin) => _anyOrigin || _origins.Contains(origin);

    private void AddOrigin(string origin, HttpHeaders response)
    {
        // Fetch: with credentials the origin must be named, never "*".
        response.Add(AllowOrigin, _anyOrigin && !_credentials ? CrossOriginOptions.Any : origin);
        if (_credentials)
        {
            response.Add(AllowCredentials, "true");
        }
    }
}
