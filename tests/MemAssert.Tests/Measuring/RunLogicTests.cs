using MemoryAssertions.Series;
using Xunit.Abstractions;

namespace MemoryAssertions.Tests.Measuring;

/// <summary>
/// The run as a whole (warm-up, extensions, the drop rule, the verdict's wording) on live-heap readings made up by the
/// test, so that the host's own threads cannot move them: the scenario tests run the same cases on the real heap.
/// </summary>
public sealed class RunLogicTests(ITestOutputHelper output)
{
    private const long Base = 2_000_000;
    private long _heap = Base;

    private LeakReport Measure(Action<int> call, int maxIterations = 0)
    {
        // This check alone reads the made-up heap: checks in parallel tests read the real one.
        var environment = CheckEnvironment.Process with { ReadLiveHeap = () => _heap };
        var calls = 0;
        var run = new LeakRun(new LeakOptions { Snapshots = SnapshotRoute.None, MaxIterations = maxIterations }, "call()", environment);
        var report = run.RunSync(() => call(++calls), CancellationToken.None);
        output.WriteLine(report.Text);
        return report;
    }

    [Fact]
    public void A_leak_with_memory_freed_once_during_the_run_is_judged_from_the_drop()
    {
        // 24 B per call; at the 30th call (iteration 27, after 3 warm-up calls) 8 KB held from before is freed.
        var report = Measure(call => _heap += 24 - (call == 30 ? 8_192 : 0));
        Assert.True(report.IsLeak, report.Text);
        Assert.Equal(27, report.JudgedFrom);
        Assert.InRange(report.GrowthPerIteration, 23.9, 24.1);
    }

    [Fact]
    public void A_sparse_leak_with_memory_freed_late_in_the_run_is_caught_by_running_on_after_the_drop()
    {
        // 24 B every 10th call; at the 63rd call (iteration 60 of at most 80) 8 KB is freed: the 21 iterations after the
        // drop show no steady rise yet. The run goes on for up to MaxIterations after the drop.
        var report = Measure(call => _heap += (call % 10 == 0 ? 24 : 0) - (call == 63 ? 8_192 : 0));
        Assert.True(report.IsLeak, report.Text);
        Assert.True(report.Iterations > 80, report.Text);
        Assert.Equal(60, report.JudgedFrom);
    }

    public static TheoryData<int, int> SparseLeakPhases()
    {
        var data = new TheoryData<int, int>();
        foreach (var every in new[] { 10, 20 })
        {
            for (var phase = 0; phase < every; phase++)
            {
                data.Add(every, phase);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SparseLeakPhases))]
    public async Task A_leak_of_one_object_every_P_calls_reaches_confirmation_at_every_phase_with_the_defaults(int every, int phase)
    {
        // The README's promise: P <= MaxIterations / 4 (20 with the defaults), whatever the call counter was when the
        // check began (the warm-up calls count as calls).
        var heap = Base;
        var calls = phase;
        var series = await SeriesRun.MeasureAsync(
            () =>
            {
                if (++calls % every == 0)
                {
                    heap += 32;
                }

                return ValueTask.CompletedTask;
            },
            LeakOptions.Default,
            () => heap,
            CancellationToken.None);

        Assert.Null(series.Pass);
        Assert.Equal(GrowthKind.Growth, series.Decision.Kind);
    }

    [Fact]
    public void A_clean_run_with_memory_freed_once_passes_without_running_on()
    {
        var report = Measure(call => _heap -= call == 10 ? 8_192 : 0);
        Assert.False(report.IsLeak, report.Text);
        Assert.Equal(20, report.Iterations);
    }
}
