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
    public async Task A_clean_test_passes_and_gets_the_report_as_a_private_result_file()
    {
        var result = await Run(typeof(CleanTargets), nameof(CleanTargets.Clean));

        Assert.AreEqual(UnitTestOutcome.Passed, result.Outcome, result.TestFailureException?.Message);
        var file = result.ResultFiles!.Single();
        StringAssert.Contains(File.ReadAllText(file), "CleanTargets.Clean");
        if (!OperatingSystem.IsWindows())
        {
            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
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
        Assert.AreEqual(failure.Message, File.ReadAllText(result.ResultFiles!.Single()));
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
