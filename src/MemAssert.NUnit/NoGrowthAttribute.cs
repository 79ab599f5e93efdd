using NUnit.Framework;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;
using NUnit.Framework.Internal.Commands;

namespace MemoryAssertions.NUnit;

/// <summary>
/// Turns an NUnit test into a leak check: <c>[Test, NoGrowth]</c>. The test method body is the iteration of
/// <see cref="MemAssert.Measure(Action, LeakOptions?, CancellationToken, string?)"/> (warm-up, measured iterations and
/// verdict as in <see cref="MemAssert.NoLeak(Action, LeakOptions?, CancellationToken, string?)"/>). A leak fails the
/// test as an NUnit assertion failure whose message is the full report.
/// </summary>
/// <remarks>
/// <para>Runs once per test: the fixture instance, <c>[OneTimeSetUp]</c>, <c>[SetUp]</c>, <c>[TearDown]</c> and test
/// actions. Runs once per iteration: the test method body only (async bodies are awaited each time).</para>
/// <para>The test is made non-parallelizable (as <c>[NonParallelizable]</c>): NUnit never runs it beside other tests.</para>
/// <para>The report is attached to the result with <c>TestContext.AddTestAttachment</c>; see the package README for
/// where the file lives and when it is deleted.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class NoGrowthAttribute : NUnitAttribute, IWrapTestMethod, IApplyToTest
{
    /// <summary>Measured iterations in the first round (see <see cref="LeakOptions.Iterations"/>; default 20).</summary>
    public int Iterations { get; set; } = LeakOptions.Default.Iterations;

    /// <summary>Calls made before measuring starts (see <see cref="LeakOptions.Warmup"/>; default 3).</summary>
    public int Warmup { get; set; } = LeakOptions.Default.Warmup;

    /// <summary>Sustained growth in bytes per iteration that is tolerated (see <see cref="LeakOptions.MaxGrowthPerIteration"/>; default 0).</summary>
    public long MaxGrowthPerIteration { get; set; } = LeakOptions.Default.MaxGrowthPerIteration;

    /// <summary>Type-name patterns left out of the heap diff (see <see cref="LeakOptions.Ignore"/>), e.g. <c>Ignore = ["MyApp.Cache*"]</c>.</summary>
    public string[] Ignore { get; set; } = [];

    /// <summary>
    /// A directory in which heap dumps are kept after the run (see <see cref="LeakOptions.KeepSnapshotsIn"/>); kept dumps
    /// are also attached to the test result. Default <see langword="null"/>: nothing is kept.
    /// </summary>
    public string? KeepSnapshotsIn { get; set; }

    /// <summary>The options this attribute stands for.</summary>
    public LeakOptions ToOptions() => new()
    {
        Iterations = Iterations,
        Warmup = Warmup,
        MaxGrowthPerIteration = MaxGrowthPerIteration,
        Ignore = [.. Ignore ?? []],
        KeepSnapshotsIn = KeepSnapshotsIn,
    };

    /// <summary>Wraps the test method command so that it runs as the iteration of a leak check.</summary>
    /// <param name="command">The command that invokes the test method.</param>
    /// <returns>The wrapping command.</returns>
    public TestCommand Wrap(TestCommand command) => new NoGrowthCommand(command, ToOptions());

    /// <summary>Marks the test non-parallelizable, as <c>[NonParallelizable]</c> does.</summary>
    /// <param name="test">The test the attribute is on.</param>
    public void ApplyToTest(Test test)
    {
        ArgumentNullException.ThrowIfNull(test);
        test.Properties.Set(PropertyNames.ParallelScope, ParallelScope.None);
    }
}
