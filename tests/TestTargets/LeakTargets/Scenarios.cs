using MemoryAssertions;

namespace LeakTargets;

/// <summary>The scenarios a child process can run, by name: each one check (or, for the suite, several).</summary>
internal static class Scenarios
{
    private static readonly LeakOptions Sparse = new() { MaxIterations = 160 };

    public static readonly Dictionary<string, Action<SnapshotRoute>> All = new(ThreadStaticLeaks.Scenarios, StringComparer.Ordinal)
    {
        // Leaks: each is measured by hand first (what it really retains per call), then checked.
        ["static-list"] = route => Leak("static-list", Leaks.StaticList, route),
        ["session"] = route => Leak("session", Leaks.SessionWithBuffer, route),
        ["generic-static"] = route => Leak("generic-static", Leaks.GenericStatic, route),
        ["captured-local"] = route =>
        {
            // Nothing but the delegate's closure (and this frame) holds the list.
            var retained = new List<LeakedItem>();
            Program.Emit("captured-local", MemAssert.Measure(() => retained.Add(new LeakedItem()), new LeakOptions { Snapshots = route }));
        },
        ["event"] = route => Leak("event", Leaks.EventHandlerNeverRemoved, route),
        ["unbounded-cache"] = route => Leak("unbounded-cache", Leaks.UnboundedCache, route),
        ["undisposed-timer"] = route => Leak("undisposed-timer", Leaks.UndisposedTimer, route),
        ["large-object"] = route => Leak("large-object", Leaks.LargeObject, route),
        ["every-tenth-call"] = route => Leak("every-tenth-call", Leaks.EveryTenthCall, route, Sparse),
        ["every-twentieth-call-late"] = route =>
        {
            // With the counter at 0 the warm-up makes calls 1 to 3, and the check's first leaked object comes at
            // iteration 17 of 20: after the last quarter's floor.
            var retained = Program.RetainedPerCall(Leaks.EveryTwentiethCall);
            Holders.SetCalls(0);
            Program.Emit("every-twentieth-call-late", MemAssert.Measure(Leaks.EveryTwentiethCall, new LeakOptions { Snapshots = route }), retained);
        },
        ["freed-once"] = route => Check("freed-once", FreeingPreloadedAtCall(30, Leaks.StaticList), route, Sparse),
        ["sparse-freed-late"] = route => Check("sparse-freed-late", FreeingPreloadedAtCall(63, Leaks.KilobyteEveryTenthCall), route),
        ["async"] = route => Program.Emit("async", MemAssert.MeasureAsync(Leaks.Async, new LeakOptions { Snapshots = route }).GetAwaiter().GetResult()),
        ["leak-beside-churn"] = route =>
        {
            using var churner = new GarbageChurner();
            SpinWait.SpinUntil(() => churner.Allocations > 1_000, TimeSpan.FromSeconds(5));
            Check("leak-beside-churn", Leaks.LargeObject, route);
        },

        // Clean code.
        ["no-op"] = route => Check("no-op", Clean.NoOp, route),
        ["garbage-only"] = route => Check("garbage-only", Clean.GarbageOnly, route),
        ["lazy-static"] = route => Check("lazy-static", Clean.LazyStatic, route, new LeakOptions { Warmup = 0 }),
        ["bounded-cache"] = route => Check("bounded-cache", Clean.BoundedCache, route, new LeakOptions { Warmup = 0 }),
        ["array-pool"] = route => Check("array-pool", Clean.ArrayPoolRentReturn, route),
        ["subscribe-unsubscribe"] = route => Check("subscribe-unsubscribe", Clean.SubscribeAndUnsubscribe, route),
        ["thread-pool-task"] = route => Check("thread-pool-task", Clean.ThreadPoolTask, route),
        ["caught-exception"] = route => Check("caught-exception", Clean.CaughtException, route),
        ["finalizable-garbage"] = route => Check("finalizable-garbage", Clean.FinalizableGarbage, route),
        ["async-no-op"] = route => Program.Emit("async-no-op", MemAssert.MeasureAsync(Clean.AsyncNoOp, new LeakOptions { Snapshots = route }).GetAwaiter().GetResult()),
        ["clean-beside-churn"] = route =>
        {
            using var churner = new GarbageChurner();
            SpinWait.SpinUntil(() => churner.Allocations > 1_000, TimeSpan.FromSeconds(5));
            Check("clean-beside-churn", Clean.GarbageOnly, route);
        },

        ["many-objects-per-call"] = route => Check("many-objects-per-call", Leaks.ManyObjectsPerCall, route),
        ["number-format-cache"] = route => Check("number-format-cache", RuntimeCaches.FormatNextNumber(), route),
        ["compiled-expression-constants"] = route => Check("compiled-expression-constants", RuntimeCaches.CompileWithNextConstant(), route),

        ["suite"] = Suite.Run,
        ["dump-killed-while-reading"] = DumpFaults.KilledWhileReading, ["kept-twice"] = DumpFaults.KeptTwice,
    };

    /// <summary>
    /// Measures what <paramref name="leak"/> retains per call by hand, into its own holder (so the check starts from a
    /// heap that already holds instances of the leaked types), then checks it.
    /// </summary>
    private static void Leak(string name, Action leak, SnapshotRoute route, LeakOptions? options = null)
    {
        var retained = Program.RetainedPerCall(leak);
        Program.Emit(name, MemAssert.Measure(leak, (options ?? LeakOptions.Default) with { Snapshots = route }), retained);
    }

    private static void Check(string name, Action code, SnapshotRoute route, LeakOptions? options = null) =>
        Program.Emit(name, MemAssert.Measure(code, (options ?? LeakOptions.Default) with { Snapshots = route }));

    /// <summary>
    /// Holds 256 KB from before the check, then runs <paramref name="leak"/> on every call and frees the 256 KB at call
    /// <paramref name="call"/>, as a pool trimming itself would: the heap drops below its baseline mid-run.
    /// </summary>
    private static Action FreeingPreloadedAtCall(int call, Action leak)
    {
        var calls = 0;
        Holders.Preload(256 * 1024);
        return () =>
        {
            leak();
            if (++calls == call)
            {
                Holders.Preloaded = null;
            }
        };
    }
}
