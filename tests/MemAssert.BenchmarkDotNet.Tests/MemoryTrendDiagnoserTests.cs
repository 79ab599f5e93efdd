using BenchmarkTargets;

namespace MemAssert.BenchmarkDotNet.Tests;

public class MemoryTrendDiagnoserTests : IClassFixture<ShortRun>
{
    private readonly ShortRun _run;

    public MemoryTrendDiagnoserTests(ShortRun run) => _run = run;

    [Fact]
    public void Both_benchmarks_ran_and_every_workload_iteration_was_measured()
    {
        Assert.Equal([nameof(Targets.Clean), nameof(Targets.Leaking)], _run.Cases.Select(c => c.Method).Order());
        foreach (var result in _run.Cases)
        {
            Assert.True(result.Success, result.Method);
            Assert.True(result.Measured, result.Method);
            Assert.Equal(ShortJob.Iterations, result.LiveBytes!.Length);
            Assert.Equal(ShortJob.OperationsPerIteration, result.OperationsPerIteration);
            Assert.True(result.HasVerdict, result.Method);
        }
    }

    [Fact]
    public void A_benchmark_that_only_allocates_retains_about_nothing_and_is_not_a_leak()
    {
        var result = _run.Case(nameof(Targets.Clean));

        Assert.False(result.IsLeak, string.Join(", ", result.LiveBytes!));
        // About nothing: under 5% of what the leaking benchmark keeps. The runtime itself sometimes keeps a little once
        // (tiered JIT data, a new thread-pool thread); the rule calls that growth that stopped, not a leak.
        Assert.NotNull(result.RetainedBytesPerOperation);
        Assert.InRange(result.RetainedBytesPerOperation.Value, 0, Targets.RetainedPerOperation * 0.05);
        Assert.Equal("No", _run.Cell(nameof(Targets.Clean), "Leak"));
        Assert.Matches(@"^(-|\d+(\.\d+)? B)$", _run.Cell(nameof(Targets.Clean), "Retained/op")); // "-" or a few bytes, never KB
    }

    [Fact]
    public void A_benchmark_that_keeps_what_it_allocates_retains_that_per_operation_and_is_a_leak()
    {
        var result = _run.Case(nameof(Targets.Leaking));

        Assert.True(result.IsLeak, string.Join(", ", result.LiveBytes!));
        Assert.NotNull(result.RetainedBytesPerOperation);
        Assert.InRange(result.RetainedBytesPerOperation.Value, Targets.RetainedPerOperation * 0.95, Targets.RetainedPerOperation * 1.15);
        Assert.Equal("Yes", _run.Cell(nameof(Targets.Leaking), "Leak"));
        Assert.EndsWith("KB", _run.Cell(nameof(Targets.Leaking), "Retained/op"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_heap_trend_rises_step_by_step_for_the_leaking_benchmark()
    {
        var leaking = _run.Cell(nameof(Targets.Leaking), "Heap trend");
        var clean = _run.Cell(nameof(Targets.Clean), "Heap trend");

        Assert.Equal(ShortJob.Iterations, leaking.Length);
        Assert.Equal(ShortJob.Iterations, clean.Length);
        Assert.Equal('▁', leaking[0]);
        Assert.Equal('█', leaking[^1]);
        Assert.Equal(leaking.Order().ToArray(), leaking.ToArray());
    }

    [Fact]
    public void The_columns_appear_in_the_console_summary_and_the_exported_markdown()
    {
        foreach (var text in new[] { _run.Console, _run.Markdown })
        {
            var header = text.Split('\n').First(l => l.Contains("| Method", StringComparison.Ordinal));
            Assert.Contains("Retained/op", header, StringComparison.Ordinal);
            Assert.Contains("Heap trend", header, StringComparison.Ordinal);
            Assert.Contains("Leak", header, StringComparison.Ordinal);
            var leakingRow = text.Split('\n').First(l => l.StartsWith("| Leaking", StringComparison.Ordinal));
            Assert.Contains("Yes", leakingRow, StringComparison.Ordinal);
            var cleanRow = text.Split('\n').First(l => l.StartsWith("| Clean", StringComparison.Ordinal));
            Assert.Contains("No", cleanRow, StringComparison.Ordinal);
        }
    }
}
