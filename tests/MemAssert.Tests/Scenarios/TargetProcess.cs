using System.Text.Json;
using MemoryAssertions.TestTargets;

namespace MemoryAssertions.Tests.Scenarios;

/// <summary>One check's outcome as the target program printed it.</summary>
internal sealed record TargetResult(
    string Name,
    CheckOutcome Outcome,
    SnapshotRoute? Route,
    int SnapshotIterations,
    int Iterations,
    int JudgedFrom,
    int SnapshotsTaken,
    double BytesPerCall,
    double GrowthPerIteration,
    double RetainedPerCall,
    TargetLeak[] Leaks,
    string Text,
    int Confirmations = 0,
    string[]? KeptFiles = null,
    int SnapshotsNotKept = 0,
    string? SnapshotsUnavailableReason = null,
    long FollowCalls = 0,
    string? ExpectedRoot = null)
{
    public bool IsLeak => Outcome is CheckOutcome.Leak or CheckOutcome.LeakUnconfirmed;
}

/// <summary>A check that ended with an exception, as the target program printed it: the exception's type (null when none was thrown) and message.</summary>
internal sealed record TargetFault(string Name, string? Type, string Message, long Milliseconds);

internal sealed record TargetLeak(
    string Type,
    string Root,
    RootKind RootKind,
    long CountDelta,
    int Instances,
    int TotalInstances,
    string[] Hops,
    string[] Owned,
    string[] HeldThrough);

/// <summary>
/// Runs a scenario of the LeakTargets program in a child process of its own (as ClrMD's tests run their target
/// programs), so that no test host's threads move its numbers, and reads the outcome of each check it made.
/// </summary>
internal static class TargetProcess
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>Runs <paramref name="scenario"/> and returns each check's outcome; fails the test when the program fails or takes longer than <paramref name="timeout"/>.</summary>
    public static IReadOnlyList<TargetResult> Run(string scenario, SnapshotRoute route = SnapshotRoute.Auto, TimeSpan? timeout = null, Action<System.Diagnostics.ProcessStartInfo>? prepare = null) =>
        Parse(TargetProgram.Run("LeakTargets", [scenario, route.ToString()], timeout ?? TimeSpan.FromMinutes(2), prepare));

    /// <summary>The outcomes in what a target program printed, one per <c>RESULT</c> line.</summary>
    public static IReadOnlyList<TargetResult> Parse(string printed) =>
        printed.Split('\n')
            .Where(line => line.StartsWith("RESULT ", StringComparison.Ordinal))
            .Select(line => JsonSerializer.Deserialize<TargetResult>(line["RESULT ".Length..], Json)!)
            .ToArray();

    /// <summary>Runs a fault scenario: the <c>FAULT</c> lines it printed (one per check that had to end with an exception), and its checks' outcomes.</summary>
    public static (TargetFault[] Faults, TargetResult[] Results, string Output) RunFaults(string scenario, TimeSpan? timeout = null)
    {
        var output = TargetProgram.Run("LeakTargets", [scenario, nameof(SnapshotRoute.Auto)], timeout ?? TimeSpan.FromMinutes(1));
        var faults = output.Split('\n')
            .Where(l => l.StartsWith("FAULT ", StringComparison.Ordinal))
            .Select(l => JsonSerializer.Deserialize<TargetFault>(l["FAULT ".Length..], Json)!)
            .ToArray();
        return (faults, [.. Parse(output)], output);
    }

    public static TargetResult RunOne(string scenario, SnapshotRoute route = SnapshotRoute.Auto) => Assert.Single(Run(scenario, route));
}
