using System.Runtime.CompilerServices;
using MemoryAssertions.Attachments;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MemoryAssertions.MSTest;

/// <summary>
/// A test method that is a leak check: use <c>[NoGrowth]</c> in place of <c>[TestMethod]</c>. Each iteration of
/// <see cref="MemAssert.MeasureAsync(Func{Task}, LeakOptions?, CancellationToken, string?)"/> is one invocation of the
/// test by MSTest (warm-up, measured iterations and verdict as in <see cref="MemAssert.NoLeak(Action, LeakOptions?, CancellationToken, string?)"/>).
/// A leak fails the test with an <see cref="AssertFailedException"/> whose message is the full report.
/// </summary>
/// <remarks>
/// <para>MSTest's extension point invokes a test as a whole, so every iteration runs the test class constructor,
/// the <c>TestContext</c> setter, <c>[TestInitialize]</c>, the body, <c>[TestCleanup]</c> and <c>Dispose</c>.
/// <c>[AssemblyInitialize]</c> and <c>[ClassInitialize]</c> run once, before the check.</para>
/// <para>A <see cref="TestMethodAttribute"/> cannot also be a <see cref="DoNotParallelizeAttribute"/>: when the assembly
/// uses <c>[Parallelize]</c>, put <c>[DoNotParallelize]</c> beside <c>[NoGrowth]</c> (see the package README).</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class NoGrowthAttribute : TestMethodAttribute
{
#if MSTEST4
    /// <summary>Creates the attribute; the compiler fills in where it is declared.</summary>
    /// <param name="callerFilePath">The file the test is declared in.</param>
    /// <param name="callerLineNumber">The line the test is declared on.</param>
    public NoGrowthAttribute([CallerFilePath] string callerFilePath = "", [CallerLineNumber] int callerLineNumber = -1)
        : base(callerFilePath, callerLineNumber)
    {
    }
#else
    /// <summary>Creates the attribute.</summary>
    public NoGrowthAttribute()
    {
    }
#endif

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
    /// are also added to the result files. Default <see langword="null"/>: nothing is kept.
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

    /// <summary>Runs the test as the iteration of a leak check and returns one result.</summary>
    /// <param name="testMethod">The test method, as MSTest hands it over.</param>
    /// <returns>
    /// The result of the first failing invocation when the test itself fails; otherwise the last invocation's result,
    /// failed with an <see cref="AssertFailedException"/> when the check found a leak, with the report in its result files.
    /// </returns>
#if MSTEST4
    public override async Task<TestResult[]> ExecuteAsync(ITestMethod testMethod)
#else
    public override TestResult[] Execute(ITestMethod testMethod)
#endif
    {
        ArgumentNullException.ThrowIfNull(testMethod);
        var expression = $"{ShortName(testMethod.TestClassName)}.{testMethod.TestMethodName}";

        TestResult? last = null;
        LeakReport report;
        try
        {
#if MSTEST4
            report = await MemAssert.MeasureAsync(
                    async () =>
                    {
                        Passed(await testMethod.InvokeAsync(null).ConfigureAwait(false));
                    },
                    ToOptions(),
                    CancellationToken.None, // a cancelled or timed-out run ends the check: its invocation does not pass
                    expression)
                .ConfigureAwait(false);
#else
            // MSTest 3 invokes a test synchronously (an async body is awaited inside Invoke).
            report = MemAssert.Measure(() => Passed(testMethod.Invoke(null)), ToOptions(), CancellationToken.None, expression);
#endif
        }
        catch (IterationFailedException failed)
        {
            // The test failed (or was inconclusive, ignored, timed out) on its own: report it exactly as MSTest did.
            return [failed.Result];
        }
        catch (Exception ex) when (ex is ArgumentException or OperationCanceledException)
        {
            // Options out of range (the core says which and the allowed range), or a cancelled run.
            return [new TestResult { Outcome = UnitTestOutcome.Failed, TestFailureException = ex }];
        }

        var final = last ?? new TestResult { Outcome = UnitTestOutcome.Passed };
        var files = new List<string>(final.ResultFiles ?? []);
        files.AddRange(ReportFiles.For(report, expression).Select(f => f.Path));
        final.ResultFiles = files;
        final.Duration = report.Elapsed;
        if (report.IsLeak)
        {
            final.Outcome = UnitTestOutcome.Failed;
            final.TestFailureException = new AssertFailedException(report.Text);
        }

        return [final];

        void Passed(TestResult result)
        {
            if (result.Outcome != UnitTestOutcome.Passed)
            {
                throw new IterationFailedException(result);
            }

            last = result;
        }
    }

    private static string ShortName(string className)
    {
        var dot = className.LastIndexOf('.');
        return dot < 0 ? className : className[(dot + 1)..];
    }

    /// <summary>Stops the check when an invocation of the test did not pass; carries MSTest's own result.</summary>
    private sealed class IterationFailedException(TestResult result) : Exception("The test did not pass: " + result.Outcome)
    {
        public TestResult Result { get; } = result;
    }
}
