using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace EchoAllocations;

/// <summary>
/// Listens to the runtime's GC allocation ticks (one event per ~100 KB allocated, naming the
/// type that crossed the mark): a sample of what is allocated, by type.
/// </summary>
internal sealed class AllocationTicks : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    public ConcurrentDictionary<string, int> ByType { get; } = new();

    public bool Recording { get; set; }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!Recording || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal))
        {
            return;
        }

        int index = eventData.PayloadNames?.IndexOf("TypeName") ?? -1;
        string type = index >= 0 ? eventData.Payload?[index]?.ToString() ?? "?" : "?";
        ByType.AddOrUpdate(type, 1, static (_, count) => count + 1);
    }
}
