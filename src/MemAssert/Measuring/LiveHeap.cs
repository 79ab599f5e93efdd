namespace MemoryAssertions.Measuring;

/// <summary>Reads what the managed heap retains: after a forced full blocking compacting GC, finalizers, and a second GC.</summary>
internal static class LiveHeap
{
    /// <summary>Collects fully and returns the bytes that survived: the live heap of the whole process.</summary>
    public static long Settle()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

        // Bytes that survived the last full blocking GC: unlike GC.GetTotalMemory, blind to what other threads
        // allocate after it.
        var promoted = GC.GetGCMemoryInfo(GCKind.FullBlocking).PromotedBytes;
        return promoted > 0 ? promoted : GC.GetTotalMemory(forceFullCollection: false);
    }
}
