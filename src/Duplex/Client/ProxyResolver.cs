namespace Duplex.Client;

/// <summary>Finds the HTTP proxy for a target from the options or the conventional environment variables.</summary>
internal static class ProxyResolver
{
    public static Uri? Resolve(Uri target, Uri? configured, bool useEnvironment, Func<string, string?>? environment = null)
    {
        if (configured is not null)
        {
            return configured;
        }

        if (!useEnvironment)
        {
            return null;
        }

        environment ??= Environment.GetEnvironmentVariable;
        bool secure = target.Scheme == "wss";
        string? value = secure
            ? Read(environment, "HTTPS_PROXY") ?? Read(environment, "ALL_PROXY")
            : Read(environment, "HTTP_PROXY") ?? Read(environment, "ALL_PROXY");
        if (string.IsNullOrWhiteSpace(value) || IsBypassed(target.IdnHost, Read(environment, "NO_PROXY")))
        {
            return null;
        }

        if (!value.Contains("://", StringComparison.Ordinal))
        {
            value = "http://" + value;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out Uri? proxy) ? proxy : null;
    }

    /// <summary>
    /// NO_PROXY is a comma-separated list: "*" bypasses every host; an entry matches the host
    /// itself and its subdomains (a leading dot is optional); a port suffix is ignored.
    /// </summary>
    public static bool IsBypassed(string host, string? noProxy)
    {
        if (string.IsNullOrWhiteSpace(noProxy))
        {
            return false;
        }

        host = host.Trim('[', ']');
        foreach (string raw in noProxy.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (raw == "*")
            {
                return true;
            }

            string entry = raw;
            if (!entry.StartsWith('[') && entry.Count(c => c == ':') == 1)
            {
                entry = entry[..entry.IndexOf(':', StringComparison.Ordinal)];
            }

            entry = entry.Trim('[', ']').TrimStart('.');
            if (host.Equals(entry, StringComparison.OrdinalIgnoreCase) ||
                host.EndsWith("." + entry, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string? Read(Func<string, string?> environment, string name) =>
        NonEmpty(environment(name)) ?? NonEmpty(environment(name.ToLowerInvariant()));

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
