using System.Globalization;

namespace MemoryAssertions.Snapshots;

/// <summary>
/// Whether a snapshot of the current heap fits in the memory the GC may still use (a heap hard limit, a container's
/// memory limit, or the machine's memory: <see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>). A walk that does not
/// fit would end in an <see cref="OutOfMemoryException"/> inside MemAssert, or in the runtime failing fast.
/// </summary>
internal static class MemoryBudget
{
    /// <summary>For tests: the bytes the GC may use in all, instead of what the runtime says.</summary>
    internal static long? TotalAvailableOverride { get => s_totalOverride.Value; set => s_totalOverride.Value = value; }

    private static readonly TestHook<long?> s_totalOverride = new();

    /// <summary>
    /// What a snapshot on <paramref name="route"/> of a heap of <paramref name="heapBytes"/> needs at most: the graph
    /// (about 20 bytes per object, and no object is smaller than 24 bytes, so at most the heap's size again), and for
    /// the live route the no-GC region it walks in; for the dump route ClrMD's reading of the dump, measured under
    /// <c>DOTNET_GCHeapHardLimit</c> at about as much again (its page cache) plus a few MiB.
    /// </summary>
    internal static long Needed(SnapshotRoute route, long heapBytes) =>
        route == SnapshotRoute.Live
            ? heapBytes + LiveRoute.MinimumBudget
            : (2 * heapBytes) + (16L << 20);

    /// <exception cref="SnapshotUnavailableException">The snapshot does not fit.</exception>
    public static void ThrowIfTooBig(SnapshotRoute route)
    {
        var info = GC.GetGCMemoryInfo();
        var total = TotalAvailableOverride ?? info.TotalAvailableMemoryBytes;
        var heap = GC.GetTotalMemory(forceFullCollection: false);
        var free = total - heap;
        var needed = Needed(route, heap);
        if (needed <= free)
        {
            return;
        }

        throw new SnapshotUnavailableException(string.Create(
            CultureInfo.InvariantCulture,
            $"a {(route == SnapshotRoute.Live ? "live" : "dump")} snapshot of this {Mib(heap)} heap needs about {Mib(needed)}, and the GC may use " +
            $"{Mib(Math.Max(0, free))} more (of {Mib(total)} in all: a heap hard limit, a container's memory limit or the machine's memory)"));
    }

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0} MiB");
}
