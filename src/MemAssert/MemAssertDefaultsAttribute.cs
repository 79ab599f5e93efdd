using System.Diagnostics.CodeAnalysis;
using MemoryAssertions.Adapters;

namespace MemoryAssertions;

/// <summary>
/// Defaults for every <c>[NoGrowth]</c> test of an assembly (<c>[assembly: MemAssertDefaults(Iterations = 40)]</c>) or
/// of a class, in every test framework adapter. What a test's own <c>[NoGrowth]</c> sets wins over its class's
/// defaults, which win over its assembly's; anything set nowhere is <see cref="LeakOptions.Default"/>'s.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class MemAssertDefaultsAttribute : Attribute
{
    internal TestSettings Settings { get; } = new();

    /// <summary>Measured iterations in the first round; see <see cref="LeakOptions.Iterations"/>.</summary>
    public int Iterations { get => Settings.Iterations ?? LeakOptions.Default.Iterations; set => Settings.Iterations = value; }

    /// <summary>Calls before measuring starts; see <see cref="LeakOptions.Warmup"/>.</summary>
    public int Warmup { get => Settings.Warmup ?? LeakOptions.Default.Warmup; set => Settings.Warmup = value; }

    /// <summary>The most iterations an extended run may reach; see <see cref="LeakOptions.MaxIterations"/>.</summary>
    public int MaxIterations { get => Settings.MaxIterations ?? LeakOptions.Default.MaxIterations; set => Settings.MaxIterations = value; }

    /// <summary>Sustained growth per iteration that is tolerated; see <see cref="LeakOptions.MaxGrowthPerIteration"/>.</summary>
    public long MaxGrowthPerIteration { get => Settings.MaxGrowthPerIteration ?? LeakOptions.Default.MaxGrowthPerIteration; set => Settings.MaxGrowthPerIteration = value; }

    /// <summary>Type-name patterns left out of the heap diff; see <see cref="LeakOptions.Ignore"/>.</summary>
    [SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "Attribute arguments can only be arrays.")]
    public string[] Ignore { get => Settings.Ignore ?? []; set => Settings.Ignore = value; }

    /// <summary>How the heap diff is grouped; see <see cref="LeakOptions.GroupBy"/>.</summary>
    public GroupBy GroupBy { get => Settings.GroupBy ?? LeakOptions.Default.GroupBy; set => Settings.GroupBy = value; }

    /// <summary>How many retention paths the report shows; see <see cref="LeakOptions.MaxRetentionPaths"/>.</summary>
    public int MaxRetentionPaths { get => Settings.MaxRetentionPaths ?? LeakOptions.Default.MaxRetentionPaths; set => Settings.MaxRetentionPaths = value; }

    /// <summary>A directory in which heap dumps are kept; see <see cref="LeakOptions.KeepSnapshotsIn"/>.</summary>
    public string? KeepSnapshotsIn { get => Settings.KeepSnapshotsIn; set => Settings.KeepSnapshotsIn = value; }

    /// <summary>How heap snapshots are taken; see <see cref="LeakOptions.Snapshots"/>.</summary>
    public SnapshotRoute Snapshots { get => Settings.Snapshots ?? LeakOptions.Default.Snapshots; set => Settings.Snapshots = value; }

    /// <summary>How long one call may take, in seconds (0 or less: no limit); see <see cref="LeakOptions.IterationTimeout"/>.</summary>
    public int IterationTimeoutSeconds { get => Settings.IterationTimeoutSeconds ?? (int)LeakOptions.Default.IterationTimeout.TotalSeconds; set => Settings.IterationTimeoutSeconds = value; }

    /// <summary>Attach the report (text and plot) to a passing test's result too, not only to a failing one.</summary>
    public bool AttachReportOnPass { get => Settings.AttachReportOnPass ?? false; set => Settings.AttachReportOnPass = value; }
}
