using MemAssert.MSTest.Tests.Targets;
using MemoryAssertions;
using MemoryAssertions.MSTest;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MemAssert.MSTest.Tests;

[TestClass]
[DoNotParallelize] // these tests measure the heap of this process through the targets
public sealed class NoGrowthAttributeTests
{
    [TestMethod]
    public async Task A_clean_test_passes_with_no_result_file_unless_it_asks_for_the_report_on_a_pass()
    {
        var plain = await Run(typeof(CleanTargets), nameof(CleanTargets.Clean));
        var asked = await Run(typeof(AssemblyDefaultsTargets), nameof(AssemblyDefaultsTargets.FromAssembly));

        Assert.AreEqual(UnitTestOutcome.Passed, plain.Outcome, plain.TestFailureException?.Message);
        Assert.IsEmpty(plain.ResultFiles ?? []);
        Assert.AreEqual(UnitTestOutcome.Passed, asked.Outcome, asked.TestFailureException?.Message);
        CollectionAssert.AreEquivalent(new[] { ".txt", ".svg" }, asked.ResultFiles!.Select(Path.GetExtension).ToArray());
        StringAssert.Contains(File.ReadAllText(asked.ResultFiles!.Single(f => f.EndsWith(".txt", StringComparison.Ordinal))), "did not leak");
        foreach (var file in asked.ResultFiles!)
        {
            if (!OperatingSystem.IsWindows())
            {
                Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
                Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
            }
        }
    }

    [TestMethod]
    public async Task A_clean_async_test_passes()
    {
        var method = new TargetTestMethod(typeof(CleanTargets), nameof(CleanTargets.CleanAsync));

        var result = await Run(method);

        Assert.AreEqual(UnitTestOutcome.Passed, result.Outcome, result.TestFailureException?.Message);
        Assert.IsGreaterThanOrEqualTo(2 + 8, method.Invocations);
    }

    [TestMethod]
    public async Task A_leaking_test_fails_with_an_assertion_failure_naming_the_leaking_type()
    {
        LeakingTargets.Retained.Clear();

        var result = await Run(typeof(LeakingTargets), nameof(LeakingTargets.Leaks));
        LeakingTargets.Retained.Clear();

        Assert.AreEqual(UnitTestOutcome.Failed, result.Outcome);
        var failure = Assert.IsInstanceOfType<AssertFailedException>(result.TestFailureException);
        StringAssert.Contains(failure.Message, nameof(MSTestLeakedPayload));
        StringAssert.Contains(failure.Message, "LeakingTargets.Leaks");

        // The report and the plot of live bytes, both result files.
        Assert.AreEqual(failure.Message, File.ReadAllText(result.ResultFiles!.Single(f => f.EndsWith(".txt", StringComparison.Ordinal))));
        Assert.AreEqual("svg", System.Xml.Linq.XDocument.Load(result.ResultFiles!.Single(f => f.EndsWith(".svg", StringComparison.Ordinal))).Root!.Name.LocalName);

        // The stack trace starts at the test method, where it is declared, not inside MemAssert.
        var first = failure.StackTrace!.Split('\n')[0].Trim();
        Assert.StartsWith("at MemAssert.MSTest.Tests.Targets.LeakingTargets.Leaks() in ", first);
        Assert.MatchesRegex(@"LeakTargets\.cs:line \d+$", first);
    }

    [TestMethod]
    public async Task Each_row_of_a_parameterised_test_is_a_check_of_its_own()
    {
        ParameterisedTargets.Retained.Clear();

        var clean = await Run(new TargetTestMethod(typeof(ParameterisedTargets), nameof(ParameterisedTargets.Keeps), [0]));
        var leaking = await Run(new TargetTestMethod(typeof(ParameterisedTargets), nameof(ParameterisedTargets.Keeps), [1]));
        ParameterisedTargets.Retained.Clear();

        Assert.AreEqual(UnitTestOutcome.Passed, clean.Outcome, clean.TestFailureException?.Message);
        Assert.AreEqual(UnitTestOutcome.Failed, leaking.Outcome);
        StringAssert.Contains(leaking.TestFailureException!.Message, "`ParameterisedTargets.Keeps(1)` leaked");
        StringAssert.Contains(leaking.TestFailureException.Message, nameof(MSTestLeakedPayload));
    }

    [TestMethod]
    public async Task A_test_s_own_settings_win_over_its_class_s_defaults_which_win_over_its_assembly_s()
    {
        StringAssert.Contains(await ReportText(typeof(ClassDefaultsTargets), nameof(ClassDefaultsTargets.FromClass)), "Warm-up 5,");
        StringAssert.Contains(await ReportText(typeof(ClassDefaultsTargets), nameof(ClassDefaultsTargets.OwnWins)), "Warm-up 2,");
        StringAssert.Contains(await ReportText(typeof(AssemblyDefaultsTargets), nameof(AssemblyDefaultsTargets.FromAssembly)), "Warm-up 4,");
    }

    private static async Task<string> ReportText(Type type, string method)
    {
        var result = await Run(type, method);
        return File.ReadAllText(result.ResultFiles!.Single(f => f.EndsWith(".txt", StringComparison.Ordinal)));
    }

    [TestMethod]
    public async Task A_throwing_test_fails_with_its_own_exception()
    {
        ThrowingTargets.Calls = 0;
        var method = new TargetTestMethod(typeof(ThrowingTargets), nameof(ThrowingTargets.ThrowsOnThirdCall));

        var result = await Run(method);

        Assert.AreEqual(UnitTestOutcome.Failed, result.Outcome);
        Assert.AreSame(method.Thrown.Single(), result.TestFailureException);
        Assert.AreEqual(3, method.Invocations, "the check stops at the first failing call");
        Assert.IsNull(result.ResultFiles, "no report when the test itself fails");
    }

    [TestMethod]
    public async Task A_throwing_async_test_fails_with_its_own_exception()
    {
        var result = await Run(typeof(ThrowingTargets), nameof(ThrowingTargets.ThrowsAsync));

        Assert.AreEqual(UnitTestOutcome.Failed, result.Outcome);
        Assert.IsInstanceOfType<FormatException>(result.TestFailureException);
        Assert.AreEqual("async body failed", result.TestFailureException!.Message);
    }

    [TestMethod]
    public async Task A_failing_assertion_in_the_body_is_reported_as_it_would_be_without_the_attribute()
    {
        var result = await Run(typeof(ThrowingTargets), nameof(ThrowingTargets.AssertionFailsInBody));

        Assert.AreEqual(UnitTestOutcome.Failed, result.Outcome);
        Assert.IsInstanceOfType<AssertFailedException>(result.TestFailureException);
        StringAssert.Contains(result.TestFailureException!.Message, "Assert.AreEqual");
    }

    [TestMethod]
    public async Task Options_out_of_range_fail_the_test_with_the_core_s_message()
    {
        var method = new TargetTestMethod(typeof(CleanTargets), nameof(CleanTargets.InvalidOptions));

        var result = await Run(method);

        Assert.AreEqual(UnitTestOutcome.Failed, result.Outcome);
        Assert.IsInstanceOfType<ArgumentOutOfRangeException>(result.TestFailureException);
        StringAssert.Contains(result.TestFailureException!.Message, "Iterations must be at least 2");
        Assert.AreEqual(0, method.Invocations);
    }

    [TestMethod]
    public void Attribute_properties_map_to_leak_options()
    {
        var options = new NoGrowthAttribute
        {
            Iterations = 30,
            Warmup = 1,
            MaxGrowthPerIteration = 64,
            Ignore = ["MyApp.Cache*"],
            KeepSnapshotsIn = "/tmp/kept",
        }.ToOptions();

        Assert.AreEqual(30, options.Iterations);
        Assert.AreEqual(1, options.Warmup);
        Assert.AreEqual(64, options.MaxGrowthPerIteration);
        CollectionAssert.AreEqual(new[] { "MyApp.Cache*" }, options.Ignore.ToArray());
        Assert.AreEqual("/tmp/kept", options.KeepSnapshotsIn);
        var defaults = new NoGrowthAttribute().ToOptions();
        Assert.AreEqual(LeakOptions.Default.Iterations, defaults.Iterations);
        Assert.AreEqual(LeakOptions.Default.Warmup, defaults.Warmup);
        Assert.IsEmpty(defaults.Ignore);
    }

    private static Task<Microsoft.VisualStudio.TestTools.UnitTesting.TestResult> Run(Type type, string method) =>
        Run(new TargetTestMethod(type, method));

    private static async Task<Microsoft.VisualStudio.TestTools.UnitTesting.TestResult> Run(TargetTestMethod method)
    {
        var attribute = method.GetAttributes<NoGrowthAttribute>().Single();
        var results = await attribute.ExecuteAsync(method);
        return results.Single();
    }
}
