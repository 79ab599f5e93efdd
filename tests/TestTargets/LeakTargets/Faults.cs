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

/// <summary>
/// Allocation limits just above and below an asynchronous delegate's real traffic, measured by hand first: each check
/// prints a line <c>ALLOC {json}</c> (whether it passed, the bytes per call, the limit, the message).
/// </summary>
internal static class AllocationChecks
{
    public static readonly Dictionary<string, Action<SnapshotRoute>> All = new(StringComparer.Ordinal)
    {
        ["allocations-async"] = _ =>
        {
            var real = ByHand();
            Console.WriteLine("REAL " + real.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Check("above", (long)Math.Ceiling(real * 1.2));
            Check("below", (long)Math.Floor(real * 0.8));
        },
    };

    private static byte[]? s_sink;

    private static async Task AllocateAsync()
    {
        await Task.Yield();
        s_sink = new byte[1_000];
    }

    private static double ByHand()
    {
        for (var i = 0; i < 100; i++)
        {
            AllocateAsync().GetAwaiter().GetResult();
        }

        const int calls = 2_000;
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < calls; i++)
        {
            AllocateAsync().GetAwaiter().GetResult();
        }

        return (double)(GC.GetTotalAllocatedBytes(precise: true) - before) / calls;
    }

    private static void Check(string name, long limit)
    {
        JsonObject line;
        try
        {
            var report = MemAssert.AllocatesAtMostAsync(AllocateAsync, limit, new LeakOptions { Iterations = 2_000, Warmup = 100 }).GetAwaiter().GetResult();
            line = new JsonObject { ["name"] = name, ["passed"] = true, ["bytesPerCall"] = report.BytesPerCall, ["limit"] = limit, ["message"] = report.Text };
        }
        catch (AllocationLimitException ex)
        {
            line = new JsonObject
            {
                ["name"] = name,
                ["passed"] = false,
                ["bytesPerCall"] = ex.Report!.BytesPerCall,
                ["limit"] = limit,
                ["message"] = ex.Message,
                ["topType"] = ex.Report.TopTypes.Count > 0 ? ex.Report.TopTypes[0].TypeName : null,
            };
        }

        Console.WriteLine("ALLOC " + line.ToJsonString());
    }
}
