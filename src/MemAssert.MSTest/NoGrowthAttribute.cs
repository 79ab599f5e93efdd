using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using MemoryAssertions.Adapters;
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
        Location = (callerFilePath, callerLineNumber);
    }
#else
    /// <summary>Creates the attribute; the compiler fills in where it is declared.</summary>
    /// <param name="callerFilePath">The file the test is declared in.</param>
    /// <param name="callerLineNumber">The line the test is declared on.</param>
    public NoGrowthAttribute([CallerFilePath] string callerFilePath = "", [CallerLineNumber] int callerLineNumber = -1)
    {
        Location = (callerFilePath, callerLineNumber);
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

    /// <summary>This test's settings over its class's and assembly's <see cref="MemAssertDefaultsAttribute"/>.</summary>
    internal TestSettings Settings { get; } = new();

    /// <summary>The file and line the test is declared in (from the compiler), where its failure points.</summary>
    internal (string File, int Line) Location { get; private set; }

    /// <summary>The options these properties stand for, over <see cref="LeakOptions.Default"/> (a class's or assembly's defaults apply when the test runs).</summary>
    public LeakOptions ToOptions() => TestSettings.For(null, Settings).Options;

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
        var method = testMethod.MethodInfo;
        var expression = TestFailure.Expression(testMethod.TestClassName, testMethod.TestMethodName, testMethod.Arguments);
        var resolved = TestSettings.For(method, Settings);

        TestResult? last = null;
        LeakReport report;
        var files = new List<string>();
        var collected = MSTestAttachments.Collected.Value;
        var attachOnPass = ReportAttachments.AttachOnPass;
        MSTestAttachments.Collected.Value = files;
        ReportAttachments.AttachOnPass = resolved.AttachReportOnPass;
        try
        {
#if MSTEST4
            report = await MemAssert.MeasureAsync(
                    async () =>
                    {
                        Passed(await testMethod.InvokeAsync(null).ConfigureAwait(false));
                    },
                    resolved.Options,
                    CancellationToken.None, // a cancelled or timed-out run ends the check: its invocation does not pass
                    expression)
                .ConfigureAwait(false);
#else
            // MSTest 3 invokes a test synchronously (an async body is awaited inside Invoke).
            report = MemAssert.Measure(() => Passed(testMethod.Invoke(null)), resolved.Options, CancellationToken.None, expression);
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
        finally
        {
            MSTestAttachments.Collected.Value = collected;
            ReportAttachments.AttachOnPass = attachOnPass;
        }

        var final = last ?? new TestResult { Outcome = UnitTestOutcome.Passed };
        final.ResultFiles = [.. final.ResultFiles ?? [], .. files];
        final.Duration = report.Elapsed;
        if (report.IsLeak)
        {
            final.Outcome = UnitTestOutcome.Failed;
            var (file, line) = Location;
            final.TestFailureException = TestFailure.At(new AssertFailedException(report.Text), method, file, line);
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

    /// <summary>Stops the check when an invocation of the test did not pass; carries MSTest's own result.</summary>
    private sealed class IterationFailedException(TestResult result) : Exception("The test did not pass: " + result.Outcome)
    {
        public TestResult Result { get; } = result;
    }
}

/// <summary>Collects the files the core publishes for the current test (its attachment hook), for the test's result files.</summary>
internal static class MSTestAttachments
{
    /// <summary>The current test's result files; null outside a <see cref="NoGrowthAttribute"/> test.</summary>
    public static readonly AsyncLocal<List<string>?> Collected = new();

#pragma warning disable CA2255 // The adapter's registration with the core, as Verify's adapters do it.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => ReportAttachments.Register(file => Collected.Value?.Add(file.Path));
}
