using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using MemoryAssertions;

namespace LeakTargets;

/// <summary>
/// Checks that must end with an exception, not hang: each prints a line <c>FAULT {json}</c> (the exception's type and
/// message, and how long the check took), then makes a clean check (its <c>RESULT</c> line) to show the process-wide
/// gate was released.
/// </summary>
internal static class Faults
{
    public static readonly Dictionary<string, Action<SnapshotRoute>> All = new(StringComparer.Ordinal)
    {
        ["async-never-completes-cancelled"] = route =>
        {
            // Every call's task never completes; the caller gives up after 300 ms.
            var never = new TaskCompletionSource();
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            Expect("async-never-completes-cancelled", () => MemAssert.MeasureAsync(() => never.Task, new LeakOptions { Snapshots = route }, cancel.Token).GetAwaiter().GetResult());
            CleanAfter(route);
        },
        ["async-never-completes-timeout"] = route =>
        {
            // The fifth call (iteration 2, after 3 warm-up calls) never completes.
            var calls = 0;
            var never = new TaskCompletionSource();
            var options = new LeakOptions { Snapshots = route, IterationTimeout = TimeSpan.FromMilliseconds(500) };
            Expect("async-never-completes-timeout", () => MemAssert.MeasureAsync(() => ++calls == 5 ? never.Task : Task.Delay(1), options).GetAwaiter().GetResult());
            CleanAfter(route);
        },
        ["nested-unsafe-start"] = route =>
        {
            // The delegate starts a check of its own on a thread that does not flow the execution context, and waits
            // for it (at most 20 s, so that a deadlock ends the scenario instead of hanging it).
            var started = false;
            var options = new LeakOptions { Snapshots = route, IterationTimeout = TimeSpan.FromSeconds(1) };
            var outer = MemAssert.Measure(
                () =>
                {
                    if (started)
                    {
                        return;
                    }

                    started = true;
                    var inner = new Thread(() => Expect("nested-unsafe-start", () => MemAssert.Measure(Clean.NoOp, options)));
                    inner.UnsafeStart();
                    if (!inner.Join(TimeSpan.FromSeconds(20)))
                    {
                        Console.WriteLine("DEADLOCK the nested check did not end within 20 s");
                    }
                },
                options);
            Program.Emit("outer", outer);
        },
    };

    private static void Expect(string name, Func<LeakReport> check)
    {
        var stopwatch = Stopwatch.StartNew();
        JsonObject fault;
        try
        {
            var report = check();
            fault = new JsonObject { ["name"] = name, ["type"] = null, ["message"] = "no exception: " + report.Outcome };
        }
        catch (Exception ex)
        {
            fault = new JsonObject { ["name"] = name, ["type"] = ex.GetType().FullName, ["message"] = ex.Message };
        }

        fault["milliseconds"] = stopwatch.ElapsedMilliseconds;
        Console.WriteLine("FAULT " + fault.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
    }

    private static void CleanAfter(SnapshotRoute route) =>
        Program.Emit("after", MemAssert.Measure(Clean.NoOp, new LeakOptions { Snapshots = route }));
}
