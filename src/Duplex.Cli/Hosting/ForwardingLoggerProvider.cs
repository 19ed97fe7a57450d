using Microsoft.Extensions.Logging;

namespace Duplex.Cli.Hosting;

/// <summary>Hands an ASP.NET Core app's loggers to the command's logger factory, so the app logs where and how the command does. The factory stays the command's.</summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

    public void Dispose()
    {
        // The command disposes its factory.
    }
}
