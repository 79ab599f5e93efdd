using System.Diagnostics;
using System.Globalization;
using MemoryAssertions.Series;

namespace MemoryAssertions.Benchmarks;

/// <summary>The measurements, each run in a child process of its own (see <see cref="Orchestrator"/>).</summary>
internal static class Cases
{
    private static readonly Action Clean = () =>
    {
        // Garbage only: allocates and drops, retains nothing.
        var buffer = new byte[256];
        GC.KeepAlive(buffer);
    };

    private static readonly Action Leaking = () => LeakedRecord.Kept.Add(new LeakedRecord { Id = LeakedRecord.Kept.Count });

    /// <summary>
    /// The pass path: <c>MemAssert.NoLeak</c> on a clean delegate against the by-hand floor (the same calls, one forced
    /// full GC and a live-bytes reading after each, nothing else), alternating which goes first, <paramref name="runs"/>
    /// times after one warm-up of each.
    /// </summary>
    public static void Pass(int objects, int runs)
    {
        LiveObjects.Build(objects);
        var options = LeakOptions.Default;
        var warm = MemAssert.NoLeak(Clean, options);
        var iterations = warm.Iterations;
        Floor(iterations, options.Warmup);

        for (var run = 1; run <= runs; run++)
        {
            double floorMs = 0, noLeakMs = 0;
            long floorPeak = 0, noLeakPeak = 0;
            var measuredIterations = 0;
            for (var half = 0; half < 2; half++)
            {
                var floorFirst = run % 2 == 1;
                if ((half == 0) == floorFirst)
                {
                    (floorMs, floorPeak) = Timed(() => Floor(iterations, options.Warmup));
                }
                else
                {
                    LeakReport? report = null;
                    (noLeakMs, noLeakPeak) = Timed(() => report = MemAssert.NoLeak(Clean, options));
                    measuredIterations = report!.Iterations;
                }
            }

            Emit("pass", objects, run, ("floor_ms", floorMs), ("noleak_ms", noLeakMs), ("ratio", noLeakMs / floorMs),
                ("iterations", iterations), ("noleak_iterations", measuredIterations),
                ("floor_peak", floorPeak), ("noleak_peak", noLeakPeak), ("rss", PeakMemory.Resident()));
        }
    }

    /// <summary>
    /// The failure path: from the call of <c>MemAssert.NoLeak</c> on a leaking delegate to the thrown report, with
    /// heap snapshots taken by <paramref name="route"/>. One per process: the first (cold) leak check of a test run.
    /// </summary>
    public static void Fail(int objects, SnapshotRoute route, int run)
    {
        LiveObjects.Build(objects);
        var heap = ManagedHeap();
        var rssBefore = PeakMemory.Resident();
        MemoryLeakException? caught = null;
        var (ms, peak) = Timed(() =>
        {
            try
            {
                MemAssert.NoLeak(Leaking, new LeakOptions { Snapshots = route });
            }
            catch (MemoryLeakException ex)
            {
                caught = ex;
            }
        });

        var report = caught?.Report;
        Emit("fail", objects, run, ("heap", heap), ("snapshots_taken", report?.SnapshotsTaken ?? 0), ("confirmations", report?.Confirmations ?? 0), ("route", route.ToString()), ("ms", ms), ("snapshots_ms", report?.SnapshotsElapsed.TotalMilliseconds ?? 0), ("thrown", caught is not null),
            ("report_route", report?.SnapshotRoute?.ToString() ?? "-"), ("paths", report?.RetentionPaths.Count ?? 0),
            ("leaks", report?.Leaks.Count ?? 0), ("iterations", report?.Iterations ?? 0),
            ("unavailable", report?.SnapshotsUnavailableReason is null ? "-" : "yes"),
            ("rss_before", rssBefore), ("peak", peak), ("children_peak", PeakMemory.ChildrenMaxResident()));
    }

    /// <summary>
    /// Heap snapshots by <paramref name="route"/>, timed: the first of the process (run 1, cold), then warm ones, each
    /// beside one forced compacting full GC of the same heap (the median of three), the yardstick for a walk of it.
    /// </summary>
    public static void Snapshot(int objects, SnapshotRoute route)
    {
        LiveObjects.Build(objects);
        var gcs = new double[3];
        for (var run = 1; run <= 3; run++)
        {
            var (ms, peak) = Timed(() =>
            {
                using var snapshot = HeapSnapshot.Take(route);
            });
            for (var i = 0; i < gcs.Length; i++)
            {
                gcs[i] = Timed(() => GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true)).Ms;
            }

            Array.Sort(gcs);
            Emit("snapshot", objects, run, ("route", route.ToString()), ("ms", ms), ("gc_ms", gcs[1]), ("peak", peak), ("heap", ManagedHeap()));
        }
    }

    /// <summary>The managed heap's size now (after a full GC: its live bytes and the free space between them).</summary>
    private static long ManagedHeap() => GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes;

    /// <summary>A process with the heap built, for dotnet-gcdump to collect from; reports its own peak when told to stop.</summary>
    public static void GcdumpTarget(int objects)
    {
        LiveObjects.Build(objects);
        var rssBefore = PeakMemory.Resident();
        PeakMemory.Reset();
        Console.Out.WriteLine("READY " + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Console.Out.Flush();
        _ = Console.In.ReadLine();
        Emit("target", objects, 0, ("rss_before", rssBefore), ("peak", PeakMemory.HighWaterMark()), ("count", LiveObjects.Count));
    }

    /// <summary>
    /// The by-hand floor: what measuring by hand costs at the least, the same calls with one forced full GC and a
    /// live-bytes reading after the warm-up and after each call (written out here, not MemAssert's own reading, so that
    /// a cheaper reading in MemAssert shows up in the ratio).
    /// </summary>
    private static void Floor(int iterations, int warmup)
    {
        for (var i = 0; i < warmup; i++)
        {
            Clean();
        }

        ReadByHand();
        for (var i = 0; i < iterations; i++)
        {
            Clean();
            ReadByHand();
        }
    }

    private static long ReadByHand()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetGCMemoryInfo(GCKind.FullBlocking).PromotedBytes;
    }

    private static (double Ms, long Peak) Timed(Action action)
    {
        PeakMemory.Reset();
        var stopwatch = Stopwatch.StartNew();
        action();
        stopwatch.Stop();
        return (stopwatch.Elapsed.TotalMilliseconds, PeakMemory.HighWaterMark());
    }

    private static void Emit(string kind, int objects, int run, params (string Key, object Value)[] fields)
    {
        var line = $"RESULT kind={kind} objects={objects} run={run}";
        foreach (var (key, value) in fields)
        {
            line += " " + key + "=" + Convert.ToString(value, CultureInfo.InvariantCulture);
        }

        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }
}
