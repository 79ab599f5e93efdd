using MemAssert.NUnit.Tests.Targets;
using MemoryAssertions.NUnit;
using NUnit.Framework;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace MemAssert.NUnit.Tests;

// These tests measure the heap of this process (through the target fixtures): they must not run beside each other.
[NonParallelizable]
public class NoGrowthAttributeTests
{
    [Test]
    public void A_clean_test_passes()
    {
        var result = InProcessNUnit.RunTest(typeof(CleanTargets), nameof(CleanTargets.Clean));

        Assert.That(result.ResultState, Is.EqualTo(ResultState.Success), result.Message);
    }

    [Test]
    public void A_clean_async_test_passes()
    {
        var result = InProcessNUnit.RunTest(typeof(CleanTargets), nameof(CleanTargets.CleanAsync));

        Assert.That(result.ResultState, Is.EqualTo(ResultState.Success), result.Message);
    }

    [Test]
    public void A_passing_test_gets_no_attachment_unless_it_asks_for_the_report_on_a_pass()
    {
        var plain = InProcessNUnit.RunTest(typeof(CleanTargets), nameof(CleanTargets.Clean));
        var asked = InProcessNUnit.RunTest(typeof(AssemblyDefaultsTargets), nameof(AssemblyDefaultsTargets.FromAssembly));

        Assert.Multiple(() =>
        {
            Assert.That(plain.ResultState, Is.EqualTo(ResultState.Success), plain.Message);
            Assert.That(plain.TestAttachments, Is.Empty);
            Assert.That(asked.ResultState, Is.EqualTo(ResultState.Success), asked.Message);
            Assert.That(asked.TestAttachments.Select(a => Path.GetExtension(a.FilePath)), Is.EquivalentTo(new[] { ".txt", ".svg" }));
            Assert.That(File.ReadAllText(asked.TestAttachments.Single(a => a.FilePath.EndsWith(".txt", StringComparison.Ordinal)).FilePath), Does.Contain("did not leak"));
            foreach (var attachment in asked.TestAttachments)
            {
                if (!OperatingSystem.IsWindows())
                {
                    Assert.That(File.GetUnixFileMode(attachment.FilePath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
                    Assert.That(
                        File.GetUnixFileMode(Path.GetDirectoryName(attachment.FilePath)!),
                        Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
                }
            }
        });
    }

    [Test]
    public void A_leaking_test_fails_as_an_assertion_failure_naming_the_leaking_type()
    {
        LeakingTargets.Retained.Clear();

        var result = InProcessNUnit.RunTest(typeof(LeakingTargets), nameof(LeakingTargets.Leaks));
        LeakingTargets.Retained.Clear();

        Assert.Multiple(() =>
        {
            // Failed (an assertion), not Error (an exception): as Assert.Fail would report it.
            Assert.That(result.ResultState, Is.EqualTo(ResultState.Failure));
            Assert.That(result.Message, Does.Contain(nameof(NUnitLeakedPayload)));
            Assert.That(result.Message, Does.Contain("LeakingTargets.Leaks"));
            Assert.That(result.AssertionResults.Single().Status, Is.EqualTo(AssertionStatus.Failed));
            Assert.That(result.AssertionResults.Single().Message, Is.EqualTo(result.Message));

            // The report and the plot of live bytes, both attached.
            var report = result.TestAttachments.Single(a => a.Description!.Contains("leak report", StringComparison.Ordinal));
            Assert.That(File.ReadAllText(report.FilePath), Is.EqualTo(result.Message));
            var plot = result.TestAttachments.Single(a => a.FilePath.EndsWith(".svg", StringComparison.Ordinal));
            Assert.That(System.Xml.Linq.XDocument.Load(plot.FilePath).Root!.Name.LocalName, Is.EqualTo("svg"));

            // The stack trace starts at the test method, where it is declared, not inside MemAssert.
            var first = result.StackTrace!.Split('\n')[0].Trim();
            Assert.That(first, Does.StartWith("at MemAssert.NUnit.Tests.Targets.LeakingTargets.Leaks() in "));
            Assert.That(first, Does.Match(@"LeakTargets\.cs:line \d+$"));
        });
    }

    [Test]
    public void Each_test_case_of_a_parameterised_test_is_a_check_of_its_own()
    {
        ParameterisedTargets.Retained.Clear();

        var fixture = InProcessNUnit.RunFixture(typeof(ParameterisedTargets), levelOfParallelism: 0);
        ParameterisedTargets.Retained.Clear();

        var cases = Leaves(fixture).ToDictionary(r => r.Name);
        Assert.Multiple(() =>
        {
            Assert.That(cases["Keeps(0)"].ResultState, Is.EqualTo(ResultState.Success), cases["Keeps(0)"].Message);
            Assert.That(cases["Keeps(1)"].ResultState, Is.EqualTo(ResultState.Failure));
            Assert.That(cases["Keeps(1)"].Message, Does.Contain("`ParameterisedTargets.Keeps(1)` leaked"));
            Assert.That(cases["Keeps(1)"].Message, Does.Contain(nameof(NUnitLeakedPayload)));
            Assert.That(cases["KeepsFromSource(0)"].ResultState, Is.EqualTo(ResultState.Success), cases["KeepsFromSource(0)"].Message);
            Assert.That(cases["KeepsFromSource(2)"].ResultState, Is.EqualTo(ResultState.Failure));
            Assert.That(cases["KeepsFromSource(2)"].Message, Does.Contain("`ParameterisedTargets.KeepsFromSource(2)` leaked"));
        });
    }

    [Test]
    public void A_test_s_own_settings_win_over_its_class_s_defaults_which_win_over_its_assembly_s()
    {
        var fromClass = InProcessNUnit.RunTest(typeof(ClassDefaultsTargets), nameof(ClassDefaultsTargets.FromClass));
        var ownWins = InProcessNUnit.RunTest(typeof(ClassDefaultsTargets), nameof(ClassDefaultsTargets.OwnWins));
        var fromAssembly = InProcessNUnit.RunTest(typeof(AssemblyDefaultsTargets), nameof(AssemblyDefaultsTargets.FromAssembly));

        Assert.Multiple(() =>
        {
            Assert.That(ReportText(fromClass), Does.Contain("Warm-up 5,"));
            Assert.That(ReportText(ownWins), Does.Contain("Warm-up 2,"));
            Assert.That(ReportText(fromAssembly), Does.Contain("Warm-up 4,"));
        });
    }

    private static string ReportText(ITestResult result) =>
        File.ReadAllText(result.TestAttachments.Single(a => a.FilePath.EndsWith(".txt", StringComparison.Ordinal)).FilePath);

    private static IEnumerable<ITestResult> Leaves(ITestResult result) =>
        result.HasChildren ? result.Children.SelectMany(Leaves) : [result];

    [Test]
    public void A_throwing_test_fails_with_its_own_exception_as_a_plain_test_would()
    {
        var measured = InProcessNUnit.RunTest(typeof(ThrowingTargets), nameof(ThrowingTargets.ThrowsOnThirdCall));
        var plain = InProcessNUnit.RunTest(typeof(ThrowingTargets), nameof(ThrowingTargets.PlainThrows));

        Assert.Multiple(() =>
        {
            Assert.That(measured.ResultState, Is.EqualTo(ResultState.Error));
            Assert.That(measured.ResultState, Is.EqualTo(plain.ResultState));
            Assert.That(measured.Message, Is.EqualTo(plain.Message));
            Assert.That(measured.Message, Does.Contain("System.InvalidOperationException : the body failed on call 3"));
            Assert.That(measured.TestAttachments, Is.Empty, "no report when the body throws");
        });
    }

    [Test]
    public void A_throwing_async_test_fails_with_its_own_exception()
    {
        var result = InProcessNUnit.RunTest(typeof(ThrowingTargets), nameof(ThrowingTargets.ThrowsAsync));

        Assert.That(result.ResultState, Is.EqualTo(ResultState.Error));
        Assert.That(result.Message, Does.Contain("System.FormatException : async body failed"));
    }

    [Test]
    public void A_failing_assertion_in_the_body_fails_the_test_as_it_would_without_the_attribute()
    {
        var result = InProcessNUnit.RunTest(typeof(ThrowingTargets), nameof(ThrowingTargets.AssertionFailsInBody));

        Assert.That(result.ResultState, Is.EqualTo(ResultState.Failure));
        Assert.That(result.Message, Does.Contain("Expected: 3"));
    }

    [Test]
    public void Options_out_of_range_fail_the_test_with_the_core_s_message()
    {
        var result = InProcessNUnit.RunTest(typeof(ThrowingTargets), nameof(ThrowingTargets.InvalidOptions));

        Assert.That(result.ResultState, Is.EqualTo(ResultState.Error));
        Assert.That(result.Message, Does.Contain("Iterations must be at least 2"));
    }

    [Test]
    public void Only_the_body_repeats_constructor_setup_and_teardown_run_once()
    {
        LifecycleTargets.Constructed = LifecycleTargets.SetUps = LifecycleTargets.Bodies = LifecycleTargets.TearDowns = 0;

        var result = InProcessNUnit.RunTest(typeof(LifecycleTargets), nameof(LifecycleTargets.Body));

        Assert.Multiple(() =>
        {
            Assert.That(result.ResultState, Is.EqualTo(ResultState.Success), result.Message);
            Assert.That(LifecycleTargets.Constructed, Is.EqualTo(1));
            Assert.That(LifecycleTargets.SetUps, Is.EqualTo(1));
            Assert.That(LifecycleTargets.TearDowns, Is.EqualTo(1));
            Assert.That(LifecycleTargets.Bodies, Is.GreaterThanOrEqualTo(2 + 8));
        });
    }

    [Test]
    public void The_attribute_makes_the_test_non_parallelizable()
    {
        var test = InProcessNUnit.Build(typeof(ParallelTargets), nameof(ParallelTargets.Measured));
        var neighbour = InProcessNUnit.Build(typeof(ParallelTargets), nameof(ParallelTargets.NeighbourA));

        Assert.That(test.Properties.Get(PropertyNames.ParallelScope), Is.EqualTo(ParallelScope.None));
        Assert.That(neighbour.Properties.Get(PropertyNames.ParallelScope), Is.Not.EqualTo(ParallelScope.None));
    }

    [Test]
    public void In_a_parallel_run_a_clean_test_passes_and_runs_apart_from_its_neighbours()
    {
        ParallelTargets.Reset();

        var fixture = InProcessNUnit.RunFixture(typeof(ParallelTargets), levelOfParallelism: 3);

        var measured = InProcessNUnit.Find(fixture, nameof(ParallelTargets.Measured))!;
        Assert.That(measured.ResultState, Is.EqualTo(ResultState.Success), measured.Message);
        Assert.That(fixture.PassCount, Is.EqualTo(4), fixture.Message);
        var spans = ParallelTargets.Recorded;
        Assert.That(spans, Has.Count.EqualTo(3));
        foreach (var (name, start, end) in spans)
        {
            var overlaps = start < ParallelTargets.MeasuredLast && ParallelTargets.MeasuredFirst < end;
            Assert.That(overlaps, Is.False, $"{name} ran while the [NoGrowth] test was measuring");
        }
    }

    [Test]
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

        Assert.Multiple(() =>
        {
            Assert.That(options.Iterations, Is.EqualTo(30));
            Assert.That(options.Warmup, Is.EqualTo(1));
            Assert.That(options.MaxGrowthPerIteration, Is.EqualTo(64));
            Assert.That(options.Ignore, Is.EqualTo(new[] { "MyApp.Cache*" }));
            Assert.That(options.KeepSnapshotsIn, Is.EqualTo("/tmp/kept"));
            var defaults = new NoGrowthAttribute().ToOptions();
            Assert.That(defaults.Iterations, Is.EqualTo(MemoryAssertions.LeakOptions.Default.Iterations));
            Assert.That(defaults.Warmup, Is.EqualTo(MemoryAssertions.LeakOptions.Default.Warmup));
            Assert.That(defaults.Ignore, Is.Empty);
        });
    }
}
