using Microsoft.AspNetCore.Http;

namespace Duplex.AspNetCore;

/// <summary>Reaching ASP.NET Core's request from a hosted <see cref="HttpExchange"/>.</summary>
public static class HttpContextExchangeExtensions
{
    internal const string ExchangeKey = "Duplex.HttpExchange";

    /// <summary>
    /// The ASP.NET Core request under <paramref name="exchange"/> (its endpoint metadata, services,
    /// features), or null when the exchange is not hosted by ASP.NET Core (the built-in server's).
    /// </summary>
    public static HttpContext? GetHttpContext(this HttpExchange exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        return (exchange as HostedHttpExchange)?.Context;
    }

    /// <summary>The <see cref="HttpExchange"/> Duplex runs for this request, or null when Duplex does not serve it.</summary>
    public static HttpExchange? GetDuplexExchange(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(ExchangeKey, out object? exchange) ? exchange as HttpExchange : null;
    }
}
