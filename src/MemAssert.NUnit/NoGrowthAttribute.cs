using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using MemoryAssertions.Adapters;
using NUnit.Framework;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;
using NUnit.Framework.Internal.Commands;

namespace MemoryAssertions.NUnit;

/// <summary>
/// Turns an NUnit test into a leak check: <c>[Test, NoGrowth]</c> (or <c>[TestCase(...), NoGrowth]</c>, each case checked
/// on its own). The test method body is the iteration of
/// <see cref="MemAssert.Measure(Action, LeakOptions?, CancellationToken, string?)"/> (warm-up, measured iterations and
/// verdict as in <see cref="MemAssert.NoLeak(Action, LeakOptions?, CancellationToken, string?)"/>). A leak fails the
/// test as an NUnit assertion failure whose message is the full report and whose stack trace points at the test.
/// </summary>
/// <remarks>
/// <para>Runs once per test: the fixture instance, <c>[OneTimeSetUp]</c>, <c>[SetUp]</c>, <c>[TearDown]</c> and test
/// actions. Runs once per iteration: the test method body only (async bodies are awaited each time).</para>
/// <para>The test is made non-parallelizable (as <c>[NonParallelizable]</c>): NUnit never runs it beside other tests.</para>
/// <para>On failure the report and a plot of the live bytes are attached with <c>TestContext.AddTestAttachment</c>
/// (on a pass too with <see cref="AttachReportOnPass"/>); see the package README for where the files live.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class NoGrowthAttribute : NUnitAttribute, IWrapTestMethod, IApplyToTest
{
    /// <summary>Creates the attribute; the compiler fills in where it is declared.</summary>
    /// <param name="callerFilePath">The file the test is declared in.</param>
    /// <param name="callerLineNumber">The line the test is declared on.</param>
    public NoGrowthAttribute([CallerFilePath] string callerFilePath = "", [CallerLineNumber] int callerLineNumber = 0)
    {
        Location = (callerFilePath, callerLineNumber);
    }

    /// <summary>Measured iterations in the first round (default 20, or the class's or assembly's <see cref="MemAssertDefaultsAttribute"/>); see <see cref="LeakOptions.Iterations"/>.</summary>
    public int Iterations { get => Settings.Iterations ?? LeakOptions.Default.Iterations; set => Settings.Iterations = value; }

    /// <summary>Calls before measuring starts (default 3); see <see cref="LeakOptions.Warmup"/>.</summary>
    public int Warmup { get => Settings.Warmup ?? LeakOptions.Default.Warmup; set => Settings.Warmup = value; }

    /// <summary>The most iterations an extended run may reach (default 0: 4 × <see cref="Iterations"/>); see <see cref="LeakOptions.MaxIterations"/>.</summary>
    public int MaxIterations { get => Settings.MaxIterations ?? LeakOptions.Default.MaxIterations; set => Settings.MaxIterations = value; }

    /// <summary>Sustained growth in bytes per iteration that is tolerated (default 0); see <see cref="LeakOptions.MaxGrowthPerIteration"/>.</summary>
    public long MaxGrowthPerIteration { get => Settings.MaxGrowthPerIteration ?? LeakOptions.Default.MaxGrowthPerIteration; set => Settings.MaxGrowthPerIteration = value; }

    /// <summary>Type-name patterns left out of the heap diff, e.g. <c>Ignore = ["MyApp.Cache*"]</c>; see <see cref="LeakOptions.Ignore"/>.</summary>
    [SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "Attribute arguments can only be arrays.")]
    public string[] Ignore { get => Settings.Ignore ?? []; set => Settings.Ignore = value; }

    /// <summary>How the heap diff is grouped (default by type); see <see cref="LeakOptions.GroupBy"/>.</summary>
    public GroupBy GroupBy { get => Settings.GroupBy ?? LeakOptions.Default.GroupBy; set => Settings.GroupBy = value; }

    /// <summary>How many retention paths the report shows (default 3); see <see cref="LeakOptions.MaxRetentionPaths"/>.</summary>
    public int MaxRetentionPaths { get => Settings.MaxRetentionPaths ?? LeakOptions.Default.MaxRetentionPaths; set => Settings.MaxRetentionPaths = value; }

    /// <summary>A directory in which heap dumps are kept, and attached to the result (default none); see <see cref="LeakOptions.KeepSnapshotsIn"/>.</summary>
    public string? KeepSnapshotsIn { get => Settings.KeepSnapshotsIn; set => Settings.KeepSnapshotsIn = value; }

    /// <summary>How heap snapshots are taken (default <see cref="SnapshotRoute.Auto"/>); see <see cref="LeakOptions.Snapshots"/>.</summary>
    public SnapshotRoute Snapshots { get => Settings.Snapshots ?? LeakOptions.Default.Snapshots; set => Settings.Snapshots = value; }

    /// <summary>How long one call may take, in seconds (default 30; 0 or less: no limit); see <see cref="LeakOptions.IterationTimeout"/>.</summary>
    public int IterationTimeoutSeconds { get => Settings.IterationTimeoutSeconds ?? (int)LeakOptions.Default.IterationTimeout.TotalSeconds; set => Settings.IterationTimeoutSeconds = value; }

    /// <summary>Attach the report (text and plot) to the result when the test passes too (default: on failure only).</summary>
    public bool AttachReportOnPass { get => Settings.AttachReportOnPass ?? false; set => Settings.AttachReportOnPass = value; }

    /// <summary>This test's settings over its class's and assembly's <see cref="MemAssertDefaultsAttribute"/>.</summary>
    internal TestSettings Settings { get; } = new();

    /// <summary>The file and line the test is declared in (from the compiler), where its failure points.</summary>
    internal (string File, int Line) Location { get; private set; }

    /// <summary>The options these properties stand for, over <see cref="LeakOptions.Default"/> (a class's or assembly's defaults apply when the test runs).</summary>
    public LeakOptions ToOptions() => TestSettings.For(null, Settings).Options;
    /// <summary>Wraps the test method command so that it runs as the iteration of a leak check.</summary>
    /// <param name="command">The command that invokes the test method.</param>
    /// <returns>The wrapping command.</returns>
    public TestCommand Wrap(TestCommand command) => new NoGrowthCommand(command, this);

    /// <summary>Marks the test non-parallelizable, as <c>[NonParallelizable]</c> does.</summary>
    /// <param name="test">The test the attribute is on.</param>
    public void ApplyToTest(Test test)
    {
        ArgumentNullException.ThrowIfNull(test);
        test.Properties.Set(PropertyNames.ParallelScope, ParallelScope.None);
    }
}
