using BenchmarkTargets;

namespace MemAssert.BenchmarkDotNet.Tests;

/// <summary>A job with fewer workload iterations than the growth rule judges: <c>Leak</c> is <c>?</c>, never <c>No</c>.</summary>
public class TooShortRunTests : IClassFixture<TooShortRun>
{
    private readonly TooShortRun _run;

    public TooShortRunTests(TooShortRun run) => _run = run;

    [Fact]
    public void A_job_too_short_to_judge_says_question_mark_for_the_leaking_benchmark_too()
    {
        foreach (var method in new[] { nameof(Targets.Clean), nameof(Targets.Leaking) })
        {
            var result = _run.Case(method);
            Assert.True(result.Success, method);
            Assert.Equal(2, result.LiveBytes!.Length);
            Assert.False(result.HasVerdict, method);
            Assert.Equal("?", _run.Cell(method, "Leak"));
        }
    }

    [Fact]
    public void The_legend_says_how_many_iterations_a_verdict_needs()
    {
        Assert.Contains("? when the job ran fewer than 3 workload iterations", _run.Legends["Leak"], StringComparison.Ordinal);
    }
}
