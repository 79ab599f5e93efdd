using System.Diagnostics.CodeAnalysis;
using Xunit;
using Xunit.Sdk;

namespace MemoryAssertions.Xunit;

/// <summary>
/// Marks a test method as a leak check; use it instead of <c>[Fact]</c>. The method body is the iteration: it runs
/// <see cref="Warmup"/> + <see cref="Iterations"/> times (more when the run is extended) on one instance of the test
/// class, with a full GC after each measured call, and the test fails with a <see cref="NoGrowthException"/> whose
/// message is the full leak report when the live heap grows. An exception thrown by the body fails the test unchanged.
/// </summary>
/// <remarks>
/// Once per test: the test class constructor (and <c>IAsyncLifetime.InitializeAsync</c>), <c>BeforeAfterTestAttribute</c>s,
/// and <c>Dispose</c>/<c>DisposeAsync</c>. Per iteration: the method body only. Tests whose class is not in an explicit
/// <c>[Collection]</c> run in a collection of their own with parallelization disabled, after the parallel collections.
/// </remarks>
[XunitTestCaseDiscoverer("MemoryAssertions.Xunit.Execution.NoGrowthDiscoverer", "MemAssert.Xunit")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class NoGrowthAttribute : FactAttribute
{
    /// <summary>Measured iterations in the first round (at least 2, default 20); see <see cref="LeakOptions.Iterations"/>.</summary>
    public int Iterations { get; set; } = LeakOptions.Default.Iterations;

    /// <summary>Calls made before measuring starts (default 3); see <see cref="LeakOptions.Warmup"/>.</summary>
    public int Warmup { get; set; } = LeakOptions.Default.Warmup;

    /// <summary>Sustained growth at or below this many bytes per iteration is tolerated (default 0); see <see cref="LeakOptions.MaxGrowthPerIteration"/>.</summary>
    public long MaxGrowthPerIteration { get; set; } = LeakOptions.Default.MaxGrowthPerIteration;

    /// <summary>Type-name patterns left out of the heap diff, e.g. <c>"MyApp.Cache*"</c>; see <see cref="LeakOptions.Ignore"/>.</summary>
    [SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "Attribute arguments can only be arrays.")]
    public string[] Ignore { get; set; } = [];

    /// <summary>
    /// A directory in which the heap dumps of a leaking run are kept (default none: nothing is kept); the report names
    /// them. See <see cref="LeakOptions.KeepSnapshotsIn"/>.
    /// </summary>
    public string? KeepSnapshotsIn { get; set; }

    /// <summary>The options these properties stand for.</summary>
    public LeakOptions ToLeakOptions() => new()
    {
        Iterations = Iterations,
        Warmup = Warmup,
        MaxGrowthPerIteration = MaxGrowthPerIteration,
        Ignore = Ignore ?? [],
        KeepSnapshotsIn = KeepSnapshotsIn,
    };
}
