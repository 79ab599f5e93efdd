using MemoryAssertions.RuntimeInternals;
using System.Runtime;
using Microsoft.Diagnostics.Runtime;

namespace MemoryAssertions.Snapshots;

/// <summary>
/// The live route: ClrMD reads this process's own memory through <see cref="SelfProcessDataReader"/> while the GC is
/// held still by a no-GC region, started before the runtime object is created and ended in every outcome. Nothing is
/// written to disk. Roots are handles, statics and thread statics; thread stacks are not seen (no thread contexts).
/// </summary>
/// <remarks>
/// The walk itself allocates (ClrMD's runtime data, the graph's arrays), and so may other threads: all of it must fit in
/// the region's budget, which is sized from the heap (<see cref="BudgetFor"/>). If the GC runs anyway (the budget ran
/// out, someone called <see cref="GC.Collect()"/>), the heap may have moved under the walk: the result is discarded and
/// the walk tried once more with a larger budget, then the route reports itself unavailable.
/// </remarks>
internal static class LiveRoute
{
    /// <summary>The smallest budget worth trying; below this the walk of even a small heap would not fit.</summary>
    internal const long MinimumBudget = 128L << 20;

    /// <summary>
    /// The largest budget asked for. The GC commits memory for the whole budget; beyond this (heaps of some 5 million
    /// objects) the live route gives way to the dump route rather than grow the process by gigabytes.
    /// </summary>
    internal const long MaximumBudget = 2L << 30;

    /// <summary>For tests: a budget to ask for instead of <see cref="BudgetFor"/>'s.</summary>
    internal static long? BudgetOverride { get => s_budgetOverride.Value; set => s_budgetOverride.Value = value; }

    private static readonly TestHook<long?> s_budgetOverride = new();

    /// <summary>For tests: runs inside the region after the runtime object is created and before the walk.</summary>
    internal static Action? BeforeWalk { get => s_beforeWalk.Value; set => s_beforeWalk.Value = value; }

    private static readonly TestHook<Action> s_beforeWalk = new();

    public static bool IsSupported => SelfProcessDataReader.IsSupported;

    /// <summary>For tests and measurements: how many walks the last capture started (2 when a GC forced a retry).</summary>
    internal static int LastAttempts { get; private set; }

    /// <summary>For tests and measurements: the budget of the last region started.</summary>
    internal static long LastBudget { get; private set; }

    /// <summary>Set once a live snapshot stopped responding: the route is off for the rest of the process.</summary>
    private static volatile string? s_stoppedResponding;

    /// <summary>For tests: how long a capture may take instead of <see cref="TimeLimitFor"/>.</summary>
    internal static TimeSpan? TimeLimitOverride { get => s_timeLimitOverride.Value; set => s_timeLimitOverride.Value = value; }

    private static readonly TestHook<TimeSpan?> s_timeLimitOverride = new();

    /// <summary>For tests: turns the route back on after a test made a capture stop responding.</summary>
    internal static void ResetStoppedResponding() => s_stoppedResponding = null;

    /// <summary>
    /// Takes a live snapshot on a thread of its own and waits for it within a time limit. The runtime's data access
    /// component (DAC) reads type data that other threads may be changing while they load types, and has been seen to
    /// loop forever inside such a read (in a test host, enumerating the fields of types with statics). A call into it
    /// cannot be interrupted; so when the capture does not finish in time, the caller gives up on it: the no-GC region
    /// is ended, the live route is turned off for the rest of the process, and the route reports itself unavailable
    /// (<see cref="SnapshotRoute.Auto"/> then takes the dump route). The abandoned thread may go on spinning on one core.
    /// </summary>
    public static HeapGraph Capture(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!SelfProcessDataReader.IsSupported)
        {
            throw new SnapshotUnavailableException("the live route reads this process's memory on Linux only.");
        }

        if (s_stoppedResponding is { } why)
        {
            throw new SnapshotUnavailableException(why);
        }

        var heapBytes = GC.GetTotalMemory(forceFullCollection: false);
        var limit = TimeLimitOverride ?? TimeLimitFor(heapBytes);
        HeapGraph? graph = null;
        Exception? failure = null;
        var abandoned = new Abandoned();
        var worker = new Thread(() =>
        {
            try
            {
                graph = CaptureOnThisThread(heapBytes, abandoned, cancellationToken);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        })
        {
            IsBackground = true,
            Name = "MemAssert live snapshot",
        };
        worker.Start();
        if (!worker.Join(limit))
        {
            // The capture's thread must not read from its cache of the held-still heap any more.
            abandoned.GiveUp()?.StopReadingInPlace();

            // The thread may be inside the DAC, holding the lock of the instance every other read shares.
            ClrRuntimeFactory.AbandonSharedDac();
            s_stoppedResponding =
                $"a live snapshot did not finish within {limit.TotalSeconds:0} s (the runtime's data access component can stop responding " +
                "inside a read), so the live route is off for the rest of this process";
            EndRegion();
            throw new SnapshotUnavailableException(s_stoppedResponding);
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        return graph!;
    }

    /// <summary>How long a live capture may take: 20 s, and 10 s more per million objects (about 1 s is usual).</summary>
    internal static TimeSpan TimeLimitFor(long heapBytes) => TimeSpan.FromSeconds(20 + (10.0 * Math.Max(0, heapBytes) / 32 / 1_000_000));

    /// <summary>Set when the caller gave up on a capture: its thread must neither end a region nor try again.</summary>
    private sealed class Abandoned
    {
        private volatile bool _value;
        private SelfProcessDataReader? _reader;

        /// <summary>The caller gives up: returns the capture's reader if it has one, whose cached reads must stop.</summary>
        public SelfProcessDataReader? GiveUp()
        {
            lock (this)
            {
                _value = true;
                return _reader;
            }
        }

        /// <summary>The capture's thread hands over its reader; false if the caller gave up already.</summary>
        public bool Attach(SelfProcessDataReader reader)
        {
            lock (this)
            {
                _reader = reader;
                return !_value;
            }
        }

        public bool Value => _value;
    }

    private static HeapGraph CaptureOnThisThread(long heapBytes, Abandoned abandoned, CancellationToken cancellationToken)
    {
        var budget = BudgetOverride ?? BudgetFor(heapBytes);

        // Found by reflection, before the heap is held still: finding them allocates.
        var statics = StaticSlots.Current();
        var threadStatics = statics is null ? null : StaticSlots.ThreadStatics();
        LastAttempts = 1;
        if (TryCaptureOnce(budget, statics, threadStatics, abandoned, cancellationToken, out var graph, out var lost))
        {
            return graph;
        }

        // The walk outgrew the region (or a GC ran anyway): the result was discarded. Once more, with twice the room.
        LastAttempts = 2;
        if (!abandoned.Value && TryCaptureOnce(Math.Min(MaximumBudget, budget * 2), statics, threadStatics, abandoned, cancellationToken, out graph, out lost))
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

    /// <summary>
    /// On the capture's own thread: once the caller gave up on it, the region was ended there, and a region on now may
    /// be someone else's.
    /// </summary>
    private static void EndRegionUnlessAbandoned(Abandoned abandoned)
    {
        if (!abandoned.Value)
        {
            EndRegion();
        }
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

    private static bool TryCaptureOnce(long budget, StaticSlots.Slot[]? statics, StaticSlots.ThreadStaticField[]? threadStatics, Abandoned abandoned, CancellationToken cancellationToken, out HeapGraph graph, out string lost)
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
            using (var target = new DataTarget(reader, ClrRuntimeFactory.Options()))
            using (var runtime = ClrRuntimeFactory.Create(target))
            {
                // The heap's memory holds still from here on: read its objects through a cache of blocks, each copied once
                // (unless the caller gave up on this capture meanwhile and stopped that).
                if (!abandoned.Attach(reader))
                {
                    reader.StopReadingInPlace();
                }

                reader.ReadInPlace(runtime.Heap.Segments.Select(s => (s.Start, s.End)));
                BeforeWalk?.Invoke();
                result = HeapWalker.Walk(runtime, WalkStrategy.Live(statics, threadStatics, () =>
                {
                    // Checked before the region is ended: ending it is not a collection, but anything after it might be.
                    if (RegionLost(collections, granted, out var why))
                    {
                        throw new RegionLostException(why);
                    }

                    // From here on the GC may move, reuse and release the heap: no more reads in place, before the
                    // region ends.
                    reader.ReadInPlace([]);

                    // Everything was read from a heap held still. Naming the references reads no object and never asks
                    // the DAC (ReflectionFieldNames), so the GC may run again while it happens.
                    EndRegionUnlessAbandoned(abandoned);
                    released = true;
                }), exhausted.Token);
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
            EndRegionUnlessAbandoned(abandoned);
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
}
