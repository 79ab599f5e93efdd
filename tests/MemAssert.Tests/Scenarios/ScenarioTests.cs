using Xunit.Abstractions;

namespace MemoryAssertions.Tests.Scenarios;

/// <summary>
/// Real leaks must fail and real non-leaks must pass, every time: each scenario runs three times.
/// </summary>
[Collection(HeapCollection.Name)]
public sealed class ScenarioTests(ITestOutputHelper output) : IDisposable
{
    public static TheoryData<int> Runs => [1, 2, 3];

    public void Dispose() => Holders.Reset();

    private MemoryLeakException AssertLeak(Action action, string leakedType, LeakOptions? options = null)
    {
        var leak = Assert.Throws<MemoryLeakException>(() => MemAssert.NoLeak(action, options));
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

    [Theory]
    [MemberData(nameof(Runs))]
    public void Static_list_leaks_one_object_per_call(int run)
    {
        _ = run;
        var leak = AssertLeak(Leaks.StaticList, typeof(LeakedItem).FullName!);
        var item = leak.Report!.GrowingTypes.Single(g => g.Key == typeof(LeakedItem).FullName);
        Assert.Equal(leak.Report.SnapshotIterations, item.CountDelta);
        Assert.InRange(leak.Report.GrowthPerIteration, 24, 24 + 16);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Event_handler_never_removed_leaks(int run)
    {
        _ = run;
        AssertLeak(Leaks.EventHandlerNeverRemoved, typeof(Subscriber).FullName!);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Unbounded_dictionary_cache_leaks(int run)
    {
        _ = run;
        AssertLeak(Leaks.UnboundedCache, typeof(CacheEntry).FullName!);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Undisposed_timer_leaks(int run)
    {
        _ = run;
        var leak = AssertLeak(Leaks.UndisposedTimer, typeof(Poller).FullName!);
        Assert.NotEmpty(leak.Report!.RetentionPaths);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void One_object_every_tenth_call_leaks(int run)
    {
        _ = run;
        var leak = AssertLeak(Leaks.EveryTenthCall, typeof(SparseItem).FullName!);
        Assert.Contains("every 10 iterations", leak.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void One_large_object_per_call_leaks(int run)
    {
        _ = run;
        var leak = AssertLeak(Leaks.LargeObject, typeof(LeakedLarge).FullName!);
        Assert.Contains(leak.Report!.GrowingTypes, g => g.Key == "System.Byte[]");
        Assert.True(leak.Report.GrowthPerIteration >= 100_000, leak.Message);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public async Task Async_delegate_leaks(int run)
    {
        _ = run;
        var leak = await Assert.ThrowsAsync<MemoryLeakException>(() => MemAssert.NoLeakAsync(Leaks.Async));
        output.WriteLine(leak.Message);
        Assert.Contains(leak.Report!.GrowingTypes, g => g.Key == typeof(AsyncItem).FullName);
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

    [Theory]
    [MemberData(nameof(Runs))]
    public void Caught_exceptions_do_not_leak(int run)
    {
        _ = run;
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
        using var churner = new GarbageChurner();
        AssertLeak(Leaks.StaticList, typeof(LeakedItem).FullName!);
    }
}
