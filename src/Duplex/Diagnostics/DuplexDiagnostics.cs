using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Duplex.Diagnostics;

/// <summary>Where one server or client logs and counts: its logger and its instruments, one reference per connection.</summary>
internal sealed class DuplexDiagnostics
{
    public DuplexDiagnostics(ILogger logger, DuplexInstruments instruments)
    {
        Logger = logger;
        Instruments = instruments;
    }

    /// <summary>Logs nowhere and counts on the shared meter.</summary>
    public static DuplexDiagnostics None { get; } = new(NullLogger.Instance, DuplexInstruments.Shared);

    public ILogger Logger { get; }

    public DuplexInstruments Instruments { get; }

    /// <summary>The diagnostics of a host configured with these factories (null: none).</summary>
    public static DuplexDiagnostics Create(ILoggerFactory? loggerFactory, System.Diagnostics.Metrics.IMeterFactory? meterFactory, string category) =>
        loggerFactory is null && meterFactory is null
            ? None
            : new DuplexDiagnostics((ILogger?)loggerFactory?.CreateLogger(category) ?? NullLogger.Instance, DuplexInstruments.For(meterFactory));
}
