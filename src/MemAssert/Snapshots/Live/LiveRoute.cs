using System.Runtime;
using Microsoft.Diagnostics.Runtime;

namespace MemoryAssertions.Snapshots;

/// <summary>
/// The live route: ClrMD reads this process's own memory through <see cref="SelfProcessDataReader"/> while the GC is
/// held still by a no-GC region, started before the runtime object is created and ended in every outcome. Nothing is
/// written to disk. Roots are handles and statics; thread stacks are not seen (no thread contexts).
/// </summary>
/// <remarks>
/// The walk itself allocates (ClrMD's runtime data, the graph's arrays), and so may other threads: all of it must fit in
/// the region's budget, which is sized from the heap (<see cref="BudgetFor"/>). If the GC runs anyway (the budget ran
/// out, someone called <see cref="GC.Collect()"/>), the heap may have moved under the walk: the result is discarded and
/// the walk tried once more with a larger budget, then the route reports itself unavailable.
/// </remarks>
internal static class LiveRoute
{
    public const string Name = "live";

    /// <summary>The smallest budget worth trying; below this the walk of even a small heap would not fit.</summary>
    internal const long MinimumBudget = 128L << 20;

    /// <summary>
    /// The largest budget asked for. The GC commits memory for the whole budget; beyond this (heaps of some 5 million
    /// objects) the live route gives way to the dump route rather than grow the process by gigabytes.
    /// </summary>
    internal const long MaximumBudget = 2L << 30;

    /// <summary>For tests: a budget to ask for instead of <see cref="BudgetFor"/>'s.</summary>
    internal static long? BudgetOverride { get; set; }

    /// <summary>For tests: runs inside the region after the runtime object is created and before the walk.</summary>
    internal static Action? BeforeWalk { get; set; }

    public static bool IsSupported => SelfProcessDataReader.IsSupported;

    /// <summary>For tests and measurements: how many walks the last capture started (2 when a GC forced a retry).</summary>
    internal static int LastAttempts { get; private set; }

    /// <summary>For tests and measurements: the budget of the last region started.</summary>
    internal static long LastBudget { get; private set; }

    public static HeapGraph Capture(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!SelfProcessDataReader.IsSupported)
        {
            throw new SnapshotUnavailableException("the live route reads this process's memory on Linux only.");
        }

        var budget = BudgetOverride ?? BudgetFor(GC.GetTotalMemory(forceFullCollection: false));
        LastAttempts = 1;
        if (TryCaptureOnce(budget, cancellationToken, out var graph, out var lost))
        {
            return graph;
        }

        // The walk outgrew the region (or a GC ran anyway): the result was discarded. Once more, with twice the room.
        LastAttempts = 2;
        if (TryCaptureOnce(Math.Min(MaximumBudget, budget * 2), cancellationToken, out graph, out lost))
        {
            return graph;
        }

        throw SnapshotUnavailableException.Transient($"the heap could not be held still for the whole live walk, twice ({lost}).");
    }

    /// <summary>
    /// The region's budget for a heap of <paramref name="heapBytes"/> live bytes: room for ClrMD's runtime data (about
    /// 25 MB) and for the walk's allocations (measured at 370–520 bytes per object: ClrMD's per-object garbage and the
    /// graph's arrays), for an object count estimated from an average object of 32 bytes, plus headroom for other threads.
    /// </summary>
    internal static long BudgetFor(long heapBytes)
    {
        const long averageObject = 32;
        const long bytesPerObject = 450;
        var objects = Math.Max(0, heapBytes) / averageObject;
        var budget = MinimumBudget + (objects * bytesPerObject);
        return Math.Clamp(budget, MinimumBudget, MaximumBudget);
    }

    /// <summary>
    /// Starts a no-GC region of <paramref name="budget"/> bytes, or the largest power-of-two fraction of it the GC
    /// accepts down to <paramref name="minimum"/>; returns the budget granted.
    /// </summary>
    /// <exception cref="SnapshotUnavailableException">
    /// The process is in a no-GC region already, or no budget down to <paramref name="minimum"/> was accepted.
    /// </exception>
    internal static long StartRegion(long budget, long minimum = MinimumBudget)
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
        {
            throw AlreadyInRegion(null);
        }

        // Never more than MaximumBudget: asking the GC for an absurd region (2^50 bytes) leaves the process unable to
        // fork afterwards (createdump then fails with ENOMEM), as seen on .NET 10 / Linux.
        for (var size = Math.Min(budget, MaximumBudget); size >= minimum; size /= 2)
        {
            try
            {
                if (GC.TryStartNoGCRegion(size))
                {
                    return size;
                }
            }
            catch (ArgumentOutOfRangeException)
            {
                // More than the GC can promise (larger than its ephemeral space): ask for less.
                continue;
            }
            catch (InvalidOperationException ex)
            {
                throw AlreadyInRegion(ex);
            }
        }

        throw new SnapshotUnavailableException(
            $"the GC could not hold the heap still: no no-GC region of {minimum / (1 << 20)} MB to {budget / (1 << 20)} MB could be started.");
    }

    /// <summary>Ends the region if it is still on; a region the GC already left (a collection ran) needs no ending.</summary>
    internal static void EndRegion()
    {
        if (GCSettings.LatencyMode != GCLatencyMode.NoGCRegion)
        {
            return;
        }

        try
        {
            GC.EndNoGCRegion();
        }
        catch (InvalidOperationException)
        {
            // The region ended on its own between the check and the call.
        }
    }

    private static SnapshotUnavailableException AlreadyInRegion(Exception? inner)
    {
        const string message = "the process is already in a no-GC region (GC.TryStartNoGCRegion), which the live route needs for itself.";
        return inner is null ? new SnapshotUnavailableException(message) : new SnapshotUnavailableException(message, inner);
    }

    private static bool TryCaptureOnce(long budget, CancellationToken cancellationToken, out HeapGraph graph, out string lost)
    {
        graph = null!;
        lost = string.Empty;
        var granted = StartRegion(budget);
        LastBudget = granted;
        var collections = GC.CollectionCount(0);
        HeapGraph? result = null;

        // Stop the walk before the budget runs out: once it does, the GC runs and the heap moves under the DAC.
        using var exhausted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            GC.RegisterNoGCRegionCallback(granted / 10 * 8, exhausted.Cancel);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentOutOfRangeException or NotImplementedException)
        {
            // The region ended already, or this GC cannot call back: the collection count still tells.
        }

        var released = false;
        try
        {
            using (var reader = new SelfProcessDataReader())
            using (var target = new DataTarget(reader, Options()))
            using (var runtime = ClrRuntimeFactory.Create(target))
            {
                // The heap's memory holds still from here on: read it in blocks rather than object by object.
                reader.CacheRanges(runtime.Heap.Segments.Select(s => (s.Start, s.End)));
                BeforeWalk?.Invoke();
                result = HeapWalker.Walk(runtime, Name, includeStacks: false, fieldNames: new ReflectionFieldNames(), askDacForNames: false, cancellationToken: exhausted.Token, heapRead: () =>
                {
                    // Checked before the region is ended: ending it is not a collection, but anything after it might be.
                    if (RegionLost(collections, granted, out var why))
                    {
                        throw new RegionLostException(why);
                    }

                    // Everything was read from a heap held still. Naming the references reads no object and never asks
                    // the DAC (ReflectionFieldNames), so the GC may run again while it happens.
                    EndRegion();
                    released = true;

                    // From now on the GC may move and reuse the heap: no more reads from the block cache.
                    reader.CacheRanges([]);
                });
            }
        }
        catch (RegionLostException ex)
        {
            lost = ex.Message;
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !released)
        {
            lost = $"the walk needed more than 80% of the {granted / (1 << 20)} MB no-GC region";
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !released && RegionLost(collections, granted, out lost))
        {
            // Whatever went wrong read a heap that was moving under it.
            return false;
        }
        finally
        {
            EndRegion();
        }

        graph = result;
        return true;
    }

    /// <summary>The region ended (a collection ran) before the heap was read to the end.</summary>
    private sealed class RegionLostException(string message) : Exception(message);

    private static bool RegionLost(int collections, long granted, out string lost)
    {
        var ran = GC.CollectionCount(0) - collections;
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion && ran == 0)
        {
            lost = string.Empty;
            return false;
        }

        lost = $"{ran} collection(s) within a {granted / (1 << 20)} MB no-GC region";
        return true;
    }

    private static DataTargetOptions Options() => new()
    {
        // The runtime's own DAC is loaded by path; nothing is ever looked up, downloaded or cached on disk.
        SymbolPaths = [],
        FileLocator = NoFiles.Instance,
    };

    private sealed class NoFiles : IFileLocator
    {
        public static readonly NoFiles Instance = new();

        public string? FindPEImage(string fileName, int buildTimeStamp, int imageSize, bool checkProperties) => null;

        public string? FindPEImage(string fileName, SymbolProperties archivedUnder, System.Collections.Immutable.ImmutableArray<byte> buildIdOrUUID, System.Runtime.InteropServices.OSPlatform originalPlatform, bool checkProperties) => null;
    }
}
