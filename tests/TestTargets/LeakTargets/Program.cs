using System.Text.Json;
using System.Text.Json.Nodes;
using MemoryAssertions;

namespace LeakTargets;

/// <summary>
/// Runs one named scenario and prints, for each check it makes, a line <c>RESULT {json}</c> with the typed outcome
/// (and the report text, for the test's log). Exit code 0 when the scenario ran to the end, 2 for a bad argument.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length is < 1 or > 2 || !(Scenarios.All.TryGetValue(args[0], out var scenario) || Faults.All.TryGetValue(args[0], out scenario) || AllocationChecks.All.TryGetValue(args[0], out scenario)))
        {
            Console.Error.WriteLine($"usage: LeakTargets <scenario> [Auto|Live|Dump]; scenarios: {string.Join(", ", Scenarios.All.Keys.Concat(Faults.All.Keys).Concat(AllocationChecks.All.Keys))}");
            return 2;
        }

        var route = args.Length == 2 ? Enum.Parse<SnapshotRoute>(args[1]) : SnapshotRoute.Auto;
        scenario(route);
        return 0;
    }

    /// <summary>
    /// Prints one check's outcome. <paramref name="retainedPerCall"/>: what the code retains per call, measured apart from
    /// MemAssert; <paramref name="expectedRoot"/>: the root the leak must be named after, where only the target knows it.
    /// </summary>
    public static void Emit(string name, LeakReport report, double retainedPerCall = 0, string? expectedRoot = null)
    {
        var leaks = new JsonArray();
        foreach (var leak in report.Leaks)
        {
            leaks.Add(new JsonObject
            {
                ["type"] = leak.TypeName,
                ["root"] = leak.Leaked.Path.RootName,
                ["rootKind"] = leak.Leaked.Path.RootKind.ToString(),
                ["countDelta"] = leak.Leaked.CountDelta,
                ["instances"] = leak.Leaked.Path.Instances,
                ["totalInstances"] = leak.Leaked.Path.TotalInstances,
                ["hops"] = new JsonArray([.. leak.Leaked.Path.Hops.Select(h => JsonValue.Create(h.Field + " " + h.TypeName))]),
                ["owned"] = new JsonArray([.. leak.Owned.Select(g => JsonValue.Create(g.TypeName))]),
                ["heldThrough"] = new JsonArray([.. leak.HeldThrough.Select(g => JsonValue.Create(g.TypeName))]),
            });
        }

        var result = new JsonObject
        {
            ["name"] = name,
            ["outcome"] = report.Outcome.ToString(),
            ["route"] = report.SnapshotRoute?.ToString(),
            ["snapshotIterations"] = report.SnapshotIterations,
            ["iterations"] = report.Iterations,
            ["judgedFrom"] = report.JudgedFrom,
            ["snapshotsTaken"] = report.SnapshotsTaken,
            ["bytesPerCall"] = report.BytesPerCall,
            ["growthPerIteration"] = report.GrowthPerIteration,
            ["retainedPerCall"] = retainedPerCall,
            ["expectedRoot"] = expectedRoot,
            ["leaks"] = leaks,
            ["confirmations"] = report.Confirmations,
            ["followCalls"] = report.FollowCalls,
            ["keptFiles"] = new JsonArray([.. report.KeptFiles.Select(f => JsonValue.Create(f))]),
            ["snapshotsNotKept"] = report.SnapshotsNotKept,
            ["snapshotsUnavailableReason"] = report.SnapshotsUnavailableReason,
            ["text"] = report.Text,
        };
        Console.WriteLine("RESULT " + result.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
    }

    /// <summary>
    /// What <paramref name="leak"/> retains per call, measured by hand apart from MemAssert: live bytes after a full
    /// collection, before and after <paramref name="calls"/> calls.
    /// </summary>
    public static double RetainedPerCall(Action leak, int calls = 2_000)
    {
        leak();
        var before = Settled();
        for (var i = 0; i < calls; i++)
        {
            leak();
        }

        return (double)(Settled() - before) / calls;
    }

    private static long Settled()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }
}
