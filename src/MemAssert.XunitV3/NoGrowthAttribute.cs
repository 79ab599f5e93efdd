using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using MemoryAssertions.XunitV3.Execution;
using Xunit;
using Xunit.v3;

namespace MemoryAssertions.XunitV3;

/// <summary>
/// Marks a test method as a leak check; use it instead of <c>[Fact]</c>. The method body is the iteration: it runs
/// <see cref="Warmup"/> + <see cref="Iterations"/> times (more when the run is extended) on one instance of the test
/// class, with a full GC after each measured call, and the test fails with a <see cref="NoGrowthException"/> whose
/// message is the full leak report (also attached to the result) when the live heap grows. An exception thrown by the
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
public sealed class NoGrowthAttribute : FactAttribute
{
#if XUNITV3_3
    /// <summary>Creates the attribute; the compiler fills in the source location.</summary>
    /// <param name="sourceFilePath">Provided by the compiler.</param>
    /// <param name="sourceLineNumber">Provided by the compiler.</param>
    public NoGrowthAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
#if XUNITV3_4
        DisableParallelization = true;
#endif
    }
#else
    /// <summary>Creates the attribute.</summary>
    public NoGrowthAttribute()
    {
    }
#endif

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
    /// A directory in which the heap dumps of a leaking run are kept (default none: nothing is kept); their paths are
    /// attached to the test result. See <see cref="LeakOptions.KeepSnapshotsIn"/>.
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
