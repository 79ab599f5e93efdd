using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using MemoryAssertions.Adapters;
using MemoryAssertions.XunitV3.Execution;
using Xunit;
using Xunit.v3;

namespace MemoryAssertions.XunitV3;

/// <summary>
/// Marks a test method as a leak check; use it instead of <c>[Fact]</c>, or of <c>[Theory]</c> beside data attributes
/// (<c>[InlineData]</c>, <c>[MemberData]</c>, <c>[ClassData]</c>: each data row is a check of its own). The method body is the iteration: it runs
/// <see cref="Warmup"/> + <see cref="Iterations"/> times (more when the run is extended) on one instance of the test
/// class, with a full GC after each measured call, and the test fails with a <see cref="NoGrowthException"/> whose
/// message is the full leak report (attached to the result with a plot) when the live heap grows. An exception thrown by the
/// body fails the test unchanged.
/// </summary>
/// <remarks>
/// Once per test: the test class constructor (and <c>IAsyncLifetime.InitializeAsync</c>), <c>BeforeAfterTestAttribute</c>s,
/// and <c>Dispose</c>/<c>DisposeAsync</c>. Per iteration: the method body only. On xunit.v3 4, <c>FactAttribute.DisableParallelization</c>
/// is on; in every version, tests whose class is not in an explicit <c>[Collection]</c> run in a collection of their own with parallelization
/// disabled, after the parallel collections.
/// </remarks>
[XunitTestCaseDiscoverer(typeof(NoGrowthDiscoverer))]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class NoGrowthAttribute : FactAttribute, ITheoryAttribute
{
#if XUNITV3_3
    /// <summary>Creates the attribute; the compiler fills in the source location.</summary>
    /// <param name="sourceFilePath">Provided by the compiler.</param>
    /// <param name="sourceLineNumber">Provided by the compiler.</param>
    public NoGrowthAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        Location = (sourceFilePath ?? "", sourceLineNumber);
#if XUNITV3_4
        DisableParallelization = true;
#endif
    }
#else
    /// <summary>Creates the attribute; the compiler fills in the source location.</summary>
    /// <param name="sourceFilePath">Provided by the compiler.</param>
    /// <param name="sourceLineNumber">Provided by the compiler.</param>
    public NoGrowthAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
    {
        Location = (sourceFilePath ?? "", sourceLineNumber);
    }
#endif

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

    /// <summary>
    /// With data attributes (<c>[InlineData]</c>, <c>[MemberData]</c>, …): leave the data rows to be enumerated when the
    /// test runs rather than at discovery, as <see cref="TheoryAttribute.DisableDiscoveryEnumeration"/> does.
    /// </summary>
    public bool DisableDiscoveryEnumeration { get; set; }

    /// <summary>With data attributes: skip the test, rather than fail it, when they yield no data, as <see cref="TheoryAttribute.SkipTestWithoutData"/> does.</summary>
    public bool SkipTestWithoutData { get; set; }

#if XUNITV3_4
    /// <summary>With data attributes: add the data row's index to each case's name, as <see cref="TheoryAttribute.IncludeTestCaseIndex"/> does.</summary>
    public bool IncludeTestCaseIndex { get; set; }

#endif
    /// <summary>This test's settings over its class's and assembly's <see cref="MemAssertDefaultsAttribute"/>.</summary>
    internal TestSettings Settings { get; } = new();

    /// <summary>The file and line the test is declared in (from the compiler), where its failure points.</summary>
    internal (string File, int Line) Location { get; private set; }

    /// <summary>The options these properties stand for, over <see cref="LeakOptions.Default"/> (a class's or assembly's defaults apply when the test runs).</summary>
    public LeakOptions ToLeakOptions() => TestSettings.For(null, Settings).Options;
}
