using System.Reflection;
using System.Runtime.CompilerServices;
using LeakTargets;

namespace MemoryAssertions.Tests;

public sealed class BadInputTests
{
    [Fact]
    public async Task Null_delegate_is_an_ArgumentNullException()
    {
        Assert.Equal("action", Assert.Throws<ArgumentNullException>(() => MemAssert.NoLeak(null!)).ParamName);
        Assert.Equal("action", Assert.Throws<ArgumentNullException>(() => MemAssert.Measure(null!)).ParamName);
        Assert.Equal("action", (await Assert.ThrowsAsync<ArgumentNullException>(() => MemAssert.NoLeakAsync(null!))).ParamName);
        Assert.Equal("action", Assert.Throws<ArgumentNullException>(() => { _ = MemAssert.MeasureAsync(null!); }).ParamName);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(100_001)]
    public void Iterations_outside_2_to_100000_name_the_range(int iterations)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => MemAssert.NoLeak(Clean.NoOp, new LeakOptions { Iterations = iterations }));
        Assert.Equal("Iterations", ex.ParamName);
        Assert.Contains("allowed range: 2 to 100000", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)] // -1 ms is Timeout.InfiniteTimeSpan, allowed
    [InlineData(25 * 3_600_000)]
    public void An_iteration_timeout_that_is_not_positive_or_is_over_a_day_names_the_range(long milliseconds)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(
            () => MemAssert.NoLeak(Clean.NoOp, new LeakOptions { IterationTimeout = TimeSpan.FromMilliseconds(milliseconds) }));
        Assert.Equal("IterationTimeout", ex.ParamName);
        Assert.Contains("more than zero and at most 24 hours, or Timeout.InfiniteTimeSpan", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_warm_up_growth_allowance_or_path_count_are_rejected()
    {
        Assert.Equal("Warmup", Assert.Throws<ArgumentOutOfRangeException>(() => MemAssert.NoLeak(Clean.NoOp, new LeakOptions { Warmup = -1 })).ParamName);
        Assert.Equal("MaxGrowthPerIteration", Assert.Throws<ArgumentOutOfRangeException>(() => MemAssert.NoLeak(Clean.NoOp, new LeakOptions { MaxGrowthPerIteration = -1 })).ParamName);
        Assert.Equal("MaxRetentionPaths", Assert.Throws<ArgumentOutOfRangeException>(() => MemAssert.NoLeak(Clean.NoOp, new LeakOptions { MaxRetentionPaths = -1 })).ParamName);
        Assert.Equal("Ignore", Assert.Throws<ArgumentNullException>(() => MemAssert.NoLeak(Clean.NoOp, new LeakOptions { Ignore = null! })).ParamName);
        Assert.Equal("GroupBy", Assert.Throws<ArgumentOutOfRangeException>(() => MemAssert.NoLeak(Clean.NoOp, new LeakOptions { GroupBy = (GroupBy)42 })).ParamName);
    }

    [Fact]
    public void Bad_options_are_rejected_before_the_delegate_runs()
    {
        var calls = 0;
        Assert.Throws<ArgumentOutOfRangeException>(() => MemAssert.NoLeak(() => calls++, new LeakOptions { Iterations = 1 }));
        Assert.Equal(0, calls);
    }

    [Fact]
    public void A_throwing_delegate_propagates_its_own_exception()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => MemAssert.NoLeak(() => throw new InvalidOperationException("mine")));
        Assert.Equal("mine", ex.Message);
    }

    [Fact]
    public async Task A_throwing_async_delegate_propagates_its_own_exception()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => MemAssert.NoLeakAsync(async () =>
        {
            await Task.Yield();
            throw new InvalidOperationException("mine");
        }));
        Assert.Equal("mine", ex.Message);
    }

    [Fact]
    public async Task A_null_task_from_the_delegate_is_a_clear_error()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => MemAssert.NoLeakAsync(() => null!));
        Assert.Contains("null Task", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_check_started_inside_another_checks_delegate_fails_instead_of_waiting_forever()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => MemAssert.NoLeak(() => MemAssert.NoLeak(Clean.NoOp)));
        Assert.Contains("cannot be nested", ex.Message, StringComparison.Ordinal);

        // And the gate was released: the next check runs.
        Assert.False(MemAssert.Measure(Clean.NoOp, new LeakOptions { Iterations = 4 }).IsLeak);
    }

    [Fact]
    public async Task An_async_check_started_inside_another_fails_too()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => MemAssert.NoLeakAsync(async () =>
        {
            await Task.Yield();
            await MemAssert.NoLeakAsync(Clean.AsyncNoOp);
        }));
        Assert.Contains("cannot be nested", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancellation_stops_the_run_between_iterations()
    {
        using var cts = new CancellationTokenSource();
        var calls = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => MemAssert.NoLeak(
            () =>
            {
                if (++calls == 5)
                {
                    cts.Cancel();
                }
            },
            cancellationToken: cts.Token));
        Assert.Equal(5, calls);
    }

    [Fact]
    public void Snapshot_taken_with_turned_off_route_says_why()
    {
        var ex = Assert.Throws<SnapshotUnavailableException>(() => HeapSnapshot.Take(SnapshotRoute.None));
        Assert.Contains("turned off", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The trip-wire (as in Shouldly): every public entry point that takes code to check also takes the caller's
    /// expression, filled in by the compiler from that very parameter.
    /// </summary>
    [Fact]
    public void Every_public_entry_point_quotes_the_callers_expression()
    {
        var entryPoints = typeof(MemAssert).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.GetParameters().Any(p => typeof(Delegate).IsAssignableFrom(p.ParameterType)))
            .ToArray();
        Assert.NotEmpty(entryPoints);
        foreach (var method in entryPoints)
        {
            var code = method.GetParameters().First(p => typeof(Delegate).IsAssignableFrom(p.ParameterType));
            var expression = method.GetParameters().SingleOrDefault(p => p.GetCustomAttribute<CallerArgumentExpressionAttribute>() is not null);
            Assert.True(expression is not null, $"{method} has no [CallerArgumentExpression] parameter");
            Assert.Equal(code.Name, expression!.GetCustomAttribute<CallerArgumentExpressionAttribute>()!.ParameterName);
        }
    }

    [Fact]
    public async Task The_expression_reaches_the_report()
    {
        var report = MemAssert.Measure(() => Clean.NoOp(), new LeakOptions { Iterations = 4 });
        Assert.Equal("() => Clean.NoOp()", report.Expression);
        var asyncReport = await MemAssert.MeasureAsync(Clean.AsyncNoOp, new LeakOptions { Iterations = 4 });
        Assert.Equal("Clean.AsyncNoOp", asyncReport.Expression);
    }
}
