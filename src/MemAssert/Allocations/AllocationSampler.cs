using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace MemoryAssertions.Allocations;

/// <summary>
/// The runtime's allocation sampling, in process: its <c>GCAllocationTick</c> events (one about every 100 KB
/// allocated, naming the type whose allocation crossed the mark), read by an <see cref="EventListener"/>. The types
/// are a sample: a type allocating a large share of the bytes shows in about that share of the events.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const int AllocationTickEventId = 10;
    private const EventKeywords GCKeyword = (EventKeywords)0x1;

    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private volatile bool _listening;

    /// <summary>Sampled bytes per type name, most first.</summary>
    public IReadOnlyList<AllocationSample> Samples =>
        _bytes.Select(kv => new AllocationSample(kv.Key, kv.Value)).OrderByDescending(s => s.SampledBytes).ThenBy(s => s.TypeName, StringComparer.Ordinal).ToArray();

    public void Start() => _listening = true;

    public void Stop() => _listening = false;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GCKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_listening || eventData.EventId != AllocationTickEventId || eventData.PayloadNames is null)
        {
            return;
        }

        var type = Payload(eventData, "TypeName") as string;
        var amount = Payload(eventData, "AllocationAmount64") is ulong large ? (long)large : Payload(eventData, "AllocationAmount") is uint small ? small : 0;
        if (!string.IsNullOrEmpty(type) && amount > 0)
        {
            _bytes.AddOrUpdate(type, amount, (_, sum) => sum + amount);
        }
    }

    private static object? Payload(EventWrittenEventArgs e, string name)
    {
        var index = e.PayloadNames!.IndexOf(name);
        return index >= 0 && e.Payload is { } payload && index < payload.Count ? payload[index] : null;
    }
}
