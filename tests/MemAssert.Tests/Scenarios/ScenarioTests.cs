using MemoryAssertions.Tests.Snapshots;
using Xunit.Abstractions;

namespace MemoryAssertions.Tests.Scenarios;

/// <summary>
/// Real leaks must fail and real non-leaks must pass, every time: each clean scenario runs three times (a false alarm
/// is the worst outcome); each leak runs once
/// (a leaking check takes four heap dumps, which is what makes it slow).
/// </summary>
[Collection(HeapCollection.Name)]
public sealed class ScenarioTests(ITestOutputHelper output) : IDisposable
{
    public static TheoryData<int> Runs => [1, 2, 3];

    private readonly TempFolderWatch _temp = new();

    /// <summary>After every scenario, leak or not: nothing of ours is left in the temp folder.</summary>
    public void Dispose()
    {
        Holders.Reset();
        _temp.AssertNothingLeftBehind();
    }

    private MemoryLeakException AssertLeak(Action action, string leakedType, LeakOptions? options = null)
    {
        var leak = ExpectLeak.From(() => MemAssert.NoLeak(action, options));
        var report = leak.Report!;
        output.WriteLine(report.Text);
        Assert.True(report.IsLeak);
        Assert.Contains(report.GrowingTypes, g => g.Key == leakedType);
        Assert.Contains(leakedType, leak.Message, StringComparison.Ordinal);
        return leak;
    }

    private void AssertNoLeak(Action action, LeakOptions? options = null)
    {
        var report = MemAssert.NoLeak(action, options);
        output.WriteLine(report.Text);
        Assert.False(report.IsLeak, report.Text);
    }

    [Fact]
    public void Static_list_leaks_one_object_per_call()
    {
        var leak = AssertLeak(Leaks.StaticList, typeof(LeakedItem).FullName!);
        var item = leak.Report!.GrowingTypes.Single(g => g.Key == typeof(LeakedItem).FullName);
        Assert.Equal(leak.Report.SnapshotIterations, item.CountDelta);
        Assert.InRange(leak.Report.GrowthPerIteration, 24, 24 + 16);

        // The message names the type and the static field that holds it, hop by hop.
        Assert.StartsWith("`action` leaked ~", leak.Message, StringComparison.Ordinal);
        Assert.Contains("(1 × MemoryAssertions.Tests.Scenarios.LeakedItem)", leak.Message, StringComparison.Ordinal);
        Assert.Contains("static field MemoryAssertions.Tests.Scenarios.Holders.Items", leak.Message, StringComparison.Ordinal);
        Assert.Contains("→ ._items MemoryAssertions.Tests.Scenarios.LeakedItem[]", leak.Message, StringComparison.Ordinal);
        var path = Assert.Single(leak.Report.RetentionPaths);
        Assert.Equal(RootKind.StaticField, path.RootKind);
        Assert.Equal(path.TotalInstances, path.Instances);
    }

    [Fact]
    public void Event_handler_never_removed_leaks()
    {
        var leak = AssertLeak(Leaks.EventHandlerNeverRemoved, typeof(Subscriber).FullName!);
        Assert.Contains("static event MemoryAssertions.Tests.Scenarios.Publisher.Tick", leak.Message, StringComparison.Ordinal);
        Assert.Contains(leak.Report!.RetentionPaths, p => p.RootKind == RootKind.StaticEvent && p.Hops[^1].TypeName == typeof(Subscriber).FullName);
    }

    /// <summary>
    /// A leak seen from the live bytes alone (no heap snapshots): the verdict the engine falls back to when snapshots
    /// are unavailable, and a fast check that the growth rule catches the leak. The heap confirmation and the retention
    /// paths are covered by the static list and event scenarios and the message tests (each costs four heap dumps).
    /// </summary>
    private LeakReport AssertLeakFromLiveBytes(Action action, double minimumBytesPerIteration, int maxIterations = 0)
    {
        var report = MemAssert.Measure(action, new LeakOptions { Snapshots = SnapshotRoute.None, MaxIterations = maxIterations });
        output.WriteLine(report.Text);
        Assert.True(report.IsLeak, report.Text);
        Assert.True(report.GrowthPerIteration >= minimumBytesPerIteration, report.Text);
        return report;
    }

    [Fact]
    public void Unbounded_dictionary_cache_leaks()
    {
        // A CacheEntry (32 B) and its int[4] (40 B) per call, plus the dictionary's arrays growing.
        AssertLeakFromLiveBytes(Leaks.UnboundedCache, 72);
    }

    [Fact]
    public void Undisposed_timer_leaks()
    {
        // Poller, Timer, TimerHolder, TimerQueueTimer and the callback: about 240 B per call.
        AssertLeakFromLiveBytes(Leaks.UndisposedTimer, 200);
    }

    [Fact]
    public void One_object_every_tenth_call_leaks()
    {
        // 24 B every 10th call: inconclusive at 20 iterations, extended until a quarter of the run holds a leaked
        // object, then sustained. (The "1 × T every 10 iterations" headline is pinned in ReportTextTests.) Room for 160
        // iterations: 2.4 B per call is the smallest leak in the suite, and the test host's own threads once held 16 KB
        // for 25 iterations of an 80-iteration run and let half of it go, which left no quarter-to-quarter rise to see.
        var report = AssertLeakFromLiveBytes(Leaks.EveryTenthCall, 1, maxIterations: 160);
        Assert.True(report.Iterations >= 40, report.Text);
    }

    [Fact]
    public void One_large_object_per_call_leaks()
    {
        // 100,048 B per call; the fit on the floors landed at 99,501 B once, when the host freed a little meanwhile.
        AssertLeakFromLiveBytes(Leaks.LargeObject, 95_000);
    }

    /// <summary>
    /// Holds 256 KB from before the check, then runs <paramref name="leak"/> on every call and frees the 256 KB at call
    /// <paramref name="call"/>. The block is larger than anything the test host's own threads were seen to hold during
    /// a run (about 70 KB): with 8 KB, the host twice retained more before the free than the free gave back, and the
    /// heap never went below its baseline.
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

    [Fact]
    public void A_leak_with_memory_freed_once_during_the_run_is_still_caught()
    {
        // 24 B per call, and at the 30th call 256 KB held from before the check is freed (as a pool trimming itself would):
        // the heap drops below its baseline, and the run is judged from there. Room for 160 iterations: the test host
        // itself sometimes frees memory late in a run too (seen once at iteration 70 of 80), which leaves too few
        // iterations after it at the default maximum. The exact course of such a run (judged from iteration 27, and the
        // verdict says so) is pinned on made-up readings in RunLogicTests. Here the heap is real, and the host's own
        // threads can change the course: once the part after the drop did not rise steadily by iteration 80, and at 160
        // the whole run was judged, the drop inside its first quarter. So only the verdict is asserted.
        AssertLeakFromLiveBytes(FreeingPreloadedAtCall(30, Leaks.StaticList), 1, maxIterations: 160);
    }

    [Fact]
    public void A_sparse_leak_with_memory_freed_late_in_the_run_is_caught()
    {
        // A sparse leak (1 KB every 10th call) with 256 KB held from before freed at the 63rd call (iteration 60 of at
        // most 80). On made-up readings (RunLogicTests) such a run is still inconclusive at the drop and goes on past
        // MaxIterations; on the real heap the host's own threads can settle it either way first (once they retained
        // 70 KB at iteration 10; once they kept the floors after the drop from rising), so only the verdict is asserted.
        AssertLeakFromLiveBytes(FreeingPreloadedAtCall(63, Leaks.KilobyteEveryTenthCall), 50);
    }

    [Fact]
    public async Task Async_delegate_leaks()
    {
        // Measured rather than asserted, so that a missed leak fails with the whole report (verdict and series).
        var report = await MemAssert.MeasureAsync(Leaks.Async, new LeakOptions { Snapshots = SnapshotRoute.None });
        output.WriteLine(report.Text);
        Assert.True(report.IsLeak, report.Text);

        // A 24 B AsyncItem per call, and the list's array growing by doubling: the fit on the floors of that stepped
        // series may land a little below 24 B (23 B seen once in a full run).
        Assert.True(report.GrowthPerIteration >= 20, report.Text);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void No_op_does_not_leak(int run)
    {
        _ = run;
        AssertNoLeak(Clean.NoOp);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Garbage_only_does_not_leak(int run)
    {
        _ = run;
        AssertNoLeak(Clean.GarbageOnly);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Lazy_static_does_not_leak_even_without_warm_up(int run)
    {
        _ = run;
        AssertNoLeak(Clean.LazyStatic, new LeakOptions { Warmup = 0 });
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Bounded_cache_does_not_leak(int run)
    {
        _ = run;
        Holders.Bounded.Clear();
        AssertNoLeak(Clean.BoundedCache, new LeakOptions { Warmup = 0 });
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void ArrayPool_rent_and_return_does_not_leak(int run)
    {
        _ = run;
        AssertNoLeak(Clean.ArrayPoolRentReturn);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Subscribe_then_unsubscribe_does_not_leak(int run)
    {
        _ = run;
        AssertNoLeak(Clean.SubscribeAndUnsubscribe);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Thread_pool_task_does_not_leak(int run)
    {
        _ = run;
        AssertNoLeak(Clean.ThreadPoolTask);
    }

    /// <summary>
    /// Once, not three times: in the test host the live bytes rose with each throw, so each run went on to the four
    /// heap dumps (which then found no type growing with the calls). Slow, and one run makes the point.
    /// </summary>
    [Fact]
    public void Caught_exceptions_do_not_leak()
    {
        AssertNoLeak(Clean.CaughtException);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Finalizable_garbage_does_not_leak(int run)
    {
        _ = run;
        AssertNoLeak(Clean.FinalizableGarbage);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public async Task Async_no_op_does_not_leak(int run)
    {
        _ = run;
        var report = await MemAssert.NoLeakAsync(Clean.AsyncNoOp);
        output.WriteLine(report.Text);
        Assert.False(report.IsLeak);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Clean_delegate_passes_while_another_thread_churns_garbage(int run)
    {
        _ = run;
        using var churner = new GarbageChurner();
        SpinWait.SpinUntil(() => churner.Allocations > 1_000, TimeSpan.FromSeconds(5));
        AssertNoLeak(Clean.GarbageOnly);
        Assert.True(churner.Allocations > 1_000);
    }

    [Fact]
    public void Leak_is_still_found_while_another_thread_churns_garbage()
    {
        // The churner holds up to half a megabyte at the instant of any GC, so the leak must stand out of that noise:
        // the smallest leak that can be seen grows with the noise beside it (README, "Threads and parallel tests").
        using var churner = new GarbageChurner();

        // 100,048 B per call; the fit on the floors may land a little below it with the churn's noise.
        AssertLeakFromLiveBytes(Leaks.LargeObject, 90_000);
    }
}
