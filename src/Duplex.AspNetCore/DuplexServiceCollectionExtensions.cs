using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Duplex.AspNetCore;

/// <summary>Adding Duplex to an ASP.NET Core app's services.</summary>
public static class DuplexServiceCollectionExtensions
{
    /// <summary>
    /// Adds what <see cref="DuplexEndpointRouteBuilderExtensions.MapWebSocket"/> and
    /// <see cref="DuplexEndpointRouteBuilderExtensions.MapRealtime"/> need: the host options
    /// (<paramref name="configure"/>), the app's logging and metrics wired in, and the tracking of
    /// live connections so that the app's stop closes them cleanly.
    /// </summary>
    public static IServiceCollection AddDuplex(this IServiceCollection services, Action<DuplexHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<DuplexHostOptions> options = services.AddOptions<DuplexHostOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<DuplexHostOptions>, DefaultFactories>());
        services.TryAddSingleton<DuplexHostLifetime>();
        services.AddHostedService(provider => provider.GetRequiredService<DuplexHostLifetime>());
        return services;
    }

    /// <summary>Fills the logger and meter factories from the app's own when the options leave them unset.</summary>
    private sealed class DefaultFactories(IServiceProvider services) : IPostConfigureOptions<DuplexHostOptions>
    {
        public void PostConfigure(string? name, DuplexHostOptions options)
        {
            options.LoggerFactory ??= services.GetService<ILoggerFactory>();
            options.MeterFactory ??= services.GetService<IMeterFactory>();
        }
    }
}
