namespace MemoryAssertions.Tests.Scenarios;

/// <summary>
/// Checks that cannot finish end with a clear exception in bounded time, and release the process-wide gate: each in a
/// child process of its own, since a check stuck in the test host would hold the gate for every other test.
/// </summary>
public sealed class FaultTests
{
    [Fact]
    public void An_async_check_whose_task_never_completes_ends_when_its_token_is_cancelled()
    {
        var (faults, results, output) = TargetProcess.RunFaults("async-never-completes-cancelled");

        var fault = Assert.Single(faults);
        Assert.True(typeof(OperationCanceledException).IsAssignableFrom(Type.GetType(fault.Type + ", System.Private.CoreLib")), output);
        Assert.InRange(fault.Milliseconds, 250, 10_000);
        // The gate was released: the next check in the process ran.
        Assert.Equal(CheckOutcome.NoGrowth, Assert.Single(results).Outcome);
    }

    [Fact]
    public void An_async_call_that_never_completes_fails_the_check_after_the_iteration_timeout_naming_the_iteration()
    {
        var (faults, results, output) = TargetProcess.RunFaults("async-never-completes-timeout");

        var fault = Assert.Single(faults);
        Assert.Equal(typeof(TimeoutException).FullName, fault.Type);
        Assert.Contains("iteration 2 did not complete within 0.5 s (LeakOptions.IterationTimeout)", fault.Message, StringComparison.Ordinal);
        Assert.InRange(fault.Milliseconds, 450, 10_000);
        Assert.Equal(CheckOutcome.NoGrowth, Assert.Single(results).Outcome);
        _ = output;
    }

    [Fact]
    public void A_check_started_from_inside_another_on_a_thread_that_does_not_flow_the_context_fails_instead_of_deadlocking()
    {
        var (faults, results, output) = TargetProcess.RunFaults("nested-unsafe-start");

        Assert.DoesNotContain(output.Split('\n'), line => line.StartsWith("DEADLOCK ", StringComparison.Ordinal));
        var fault = Assert.Single(faults);
        Assert.Equal(typeof(InvalidOperationException).FullName, fault.Type);
        Assert.Contains("checks cannot be nested", fault.Message, StringComparison.Ordinal);
        Assert.Contains("Thread.UnsafeStart", fault.Message, StringComparison.Ordinal);
        Assert.InRange(fault.Milliseconds, 1_000, 10_000);
        // The outer check went on once its call returned.
        Assert.False(Assert.Single(results).IsLeak, output);
    }

    [Fact]
    public void Under_a_heap_hard_limit_a_big_leak_is_reported_from_live_bytes_with_a_note_instead_of_running_out_of_memory()
    {
        // 128 MiB in all; 20,000 objects leaked per call. Before the budget, the dump route's walk died with "Out of memory".
        var result = Assert.Single(TargetProcess.Run(
            "many-objects-per-call",
            timeout: TimeSpan.FromMinutes(2),
            prepare: start => start.Environment["DOTNET_GCHeapHardLimit"] = "0x8000000"));

        Assert.Equal(CheckOutcome.LeakUnconfirmed, result.Outcome);
        Assert.Contains("snapshot of this", result.Text, StringComparison.Ordinal);
        Assert.Contains("of 128 MiB in all: a heap hard limit", result.Text, StringComparison.Ordinal);
        Assert.InRange(result.GrowthPerIteration, 600_000, 700_000);
    }
}
