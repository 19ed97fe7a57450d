using Microsoft.Extensions.Logging;

namespace Duplex.Cli;

/// <summary>One-line console logs with a time stamp.</summary>
internal static class ConsoleLogging
{
    public static ILoggerFactory Create(LogLevel minimum) =>
        LoggerFactory.Create(builder => builder
            .SetMinimumLevel(minimum)
            .AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.TimestampFormat = "HH:mm:ss ";
            }));
}
