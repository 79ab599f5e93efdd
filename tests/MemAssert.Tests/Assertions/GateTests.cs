namespace MemoryAssertions.Tests.Assertions;

/// <summary>
/// The process-wide gate: a snapshot, <c>NoInstances</c>, <c>Released</c> or a process-wide allocation check started
/// while a <c>NoLeak</c> check runs (as in a parallel test) waits for it, since a GC or a snapshot in the middle of the
/// check's readings would disturb them; started from inside the check's own code, it runs at once.
/// </summary>
public sealed class GateTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public static TheoryData<string> GatedOperations() => ["snapshot", "NoInstances", "Released", "AllocatesAtMostAsync"];

    [Theory]
    [MemberData(nameof(GatedOperations))]
    public async Task An_operation_started_beside_a_running_check_waits_for_it(string operation)
    {
        using var inCall = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var check = Task.Run(() => MemAssert.Measure(
            () =>
            {
                inCall.Set();
                release.Wait(Bound);
            },
            new LeakOptions { Warmup = 1, Iterations = 4, Snapshots = SnapshotRoute.None }));
        Assert.True(inCall.Wait(Bound));

        // Started from the test's flow, not the check's: as a test running beside it would.
        var beside = Task.Run(() => Operation(operation));
        // The check is held inside its first call, so the operation cannot have run yet; were it not gated, it would
        // have long finished.
        var finishedFirst = await Task.WhenAny(beside, Task.Delay(TimeSpan.FromMilliseconds(500)));
        Assert.NotSame(beside, finishedFirst);

        release.Set();
        await check.WaitAsync(Bound);
        await beside.WaitAsync(Bound);
    }

    [Fact]
    public void A_snapshot_taken_inside_the_code_a_check_measures_runs_at_once()
    {
        var taken = 0;
        MemAssert.Measure(
            () =>
            {
                using var snapshot = HeapSnapshot.Take(SnapshotRoute.Auto);
                Assert.True(snapshot.ObjectCount > 0);
                taken++;
            },
            new LeakOptions { Warmup = 0, Iterations = 4, Snapshots = SnapshotRoute.None });
        Assert.True(taken >= 4);
    }

    private static async Task Operation(string operation)
    {
        switch (operation)
        {
            case "snapshot":
                using (HeapSnapshot.Take())
                {
                }

                break;
            case "NoInstances":
                MemAssert.NoInstances<NeverMade>(new LeakOptions { Snapshots = SnapshotRoute.Live });
                break;
            case "Released":
                MemAssert.Released(() => new NeverMade());
                break;
            case "AllocatesAtMostAsync":
                await MemAssert.AllocatesAtMostAsync(() => Task.CompletedTask, 1 << 20);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation, null);
        }
    }

    private sealed class NeverMade;
}
