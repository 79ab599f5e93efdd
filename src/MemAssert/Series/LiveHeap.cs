namespace MemoryAssertions.Series;

/// <summary>Reads what the managed heap retains: after a forced full blocking compacting GC, the finalizers, and a second GC when the first found objects to finalize.</summary>
internal static class LiveHeap
{
    /// <summary>
    /// Objects the runtime keeps pending finalization after every full GC: its gen-2 GC callbacks (ArrayPool trimming and
    /// the like) re-register themselves for finalization each time, so a GC's pending count is never 0. Learned as the
    /// fewest pending after a second GC, when nothing of the caller's can be left to finalize.
    /// </summary>
    private static long s_alwaysPending = long.MaxValue;

    /// <summary>Collects fully and returns the bytes that survived: the live heap of the whole process.</summary>
    /// <remarks>
    /// The finalizers are waited for before and after the GC (a round trip to the finalizer thread when it has nothing
    /// to do), so that what they release is never freed in the middle of a run. A second collection is only needed when
    /// finalizers may have released something since the GC: when the GC found more objects to finalize
    /// (<see cref="GCMemoryInfo.FinalizationPendingCount"/>) than the runtime's own callbacks, or when another GC (another
    /// thread's) ran since the first wait and may have queued some. Otherwise it would free nothing more and is skipped:
    /// on a heap of a million objects a full GC costs some 15–20 ms, and a check runs dozens of them.
    /// </remarks>
    public static long Settle()
    {
        GC.WaitForPendingFinalizers();
        var collections = GC.CollectionCount(0);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        GC.WaitForPendingFinalizers();
        if (info.FinalizationPendingCount > Volatile.Read(ref s_alwaysPending) || GC.CollectionCount(0) != collections + 1)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
            if (info.FinalizationPendingCount < Volatile.Read(ref s_alwaysPending))
            {
                Volatile.Write(ref s_alwaysPending, info.FinalizationPendingCount);
            }
        }

        // Bytes that survived the last full blocking GC: unlike GC.GetTotalMemory, blind to what other threads
        // allocate after it.
        var promoted = info.PromotedBytes;
        return promoted > 0 ? promoted : GC.GetTotalMemory(forceFullCollection: false);
    }
}
