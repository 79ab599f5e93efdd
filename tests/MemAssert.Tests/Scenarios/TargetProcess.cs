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
    string? ExpectedRoot = null)
{
    public bool IsLeak => Outcome is CheckOutcome.Leak or CheckOutcome.LeakUnconfirmed;
}

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
    public static IReadOnlyList<TargetResult> Run(string scenario, SnapshotRoute route = SnapshotRoute.Auto, TimeSpan? timeout = null) =>
        TargetProgram.Run("LeakTargets", [scenario, route.ToString()], timeout ?? TimeSpan.FromMinutes(2))
            .Split('\n')
            .Where(line => line.StartsWith("RESULT ", StringComparison.Ordinal))
            .Select(line => JsonSerializer.Deserialize<TargetResult>(line["RESULT ".Length..], Json)!)
            .ToArray();

    public static TargetResult RunOne(string scenario, SnapshotRoute route = SnapshotRoute.Auto) => Assert.Single(Run(scenario, route));
}
