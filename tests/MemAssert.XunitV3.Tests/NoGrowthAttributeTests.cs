using MemAssert.XunitV3.Tests.Targets;
using MemoryAssertions.XunitV3;
using Xunit.Sdk;
using Xunit;

namespace MemAssert.XunitV3.Tests;

public class NoGrowthAttributeTests
{
    [Fact]
    public async Task A_clean_test_passes_and_runs_its_body_per_iteration_on_one_instance()
    {
        Calls.Reset();

        var outcome = Assert.Single(await XunitRun.RunAsync(typeof(CleanTarget)));

        Assert.Equal("Passed", outcome.Result);
        Assert.Equal(1, Calls.Constructed);
        Assert.Equal(1, Calls.Disposed);
        Assert.True(Calls.Bodies >= 2 + 8, $"the body ran {Calls.Bodies} times; expected warm-up 2 + at least 8 iterations");
        Assert.Single(Calls.Instances);
    }

    [Fact]
    public async Task A_test_case_still_measures_after_a_serialization_round_trip()
    {
        Calls.Reset();

        var outcome = Assert.Single(await XunitRun.RunAsync(serialize: true, typeof(CleanTarget)));

        Assert.Equal("Passed", outcome.Result);
        Assert.Equal("MemAssert [NoGrowth] (runs alone)", outcome.CollectionName);
        Assert.True(Calls.Bodies >= 2 + 8, $"the body ran {Calls.Bodies} times; expected warm-up 2 + at least 8 iterations");
    }

    [Fact]
    public async Task An_async_test_passes()
    {
        var outcome = Assert.Single(await XunitRun.RunAsync(typeof(AsyncCleanTarget)));

        Assert.Equal("Passed", outcome.Result);
    }

    [Fact]
    public async Task A_leaking_test_fails_as_an_assertion_with_the_report_as_message_and_attachment()
    {
        var kept = Path.Combine(AppContext.BaseDirectory, LeakingTarget.KeptIn);
        try
        {
            var outcome = Assert.Single(await XunitRun.RunAsync(typeof(LeakingTarget)));

            Assert.Equal("Failed", outcome.Result);
            Assert.Equal(FailureCause.Assertion, outcome.Cause);
            Assert.Equal(typeof(NoGrowthException).FullName, outcome.ExceptionType);
            Assert.True(typeof(XunitException).IsAssignableFrom(typeof(NoGrowthException)));
            Assert.StartsWith("`LeakingTarget.Keeps_a_widget_per_call` leaked", outcome.Message, StringComparison.Ordinal);
            Assert.Contains(nameof(LeakedWidget), outcome.Message, StringComparison.Ordinal);

            // The report and the plot of live bytes, both attached; each kept snapshot by its path.
            Assert.Equal(outcome.Message, Assert.Single(outcome.Attachments, a => a.Key.StartsWith("MemAssert leak report", StringComparison.Ordinal)).Value.AsString());
            var plot = Assert.Single(outcome.Attachments, a => a.Key.StartsWith("MemAssert live bytes per iteration", StringComparison.Ordinal)).Value;
            var (bytes, mediaType) = plot.AsByteArray();
            Assert.Equal("image/svg+xml", mediaType);
            Assert.Equal("svg", System.Xml.Linq.XDocument.Parse(System.Text.Encoding.UTF8.GetString(bytes)).Root!.Name.LocalName);
            var paths = outcome.Attachments.Where(a => a.Key.StartsWith("MemAssert heap snapshot", StringComparison.Ordinal)).Select(a => a.Value.AsString()).ToList();
            Assert.NotEmpty(paths);
            Assert.All(paths, p => Assert.True(File.Exists(p), p));

            // The stack trace starts at the test method, where it is declared, not inside MemAssert.
            var first = outcome.StackTrace!.Split('\n')[0].Trim();
            Assert.StartsWith("at MemAssert.XunitV3.Tests.Targets.LeakingTarget.Keeps_a_widget_per_call() in ", first, StringComparison.Ordinal);
            Assert.Matches(@"Scenarios\.cs:line \d+$", first);
        }
        finally
        {
            if (Directory.Exists(kept))
            {
                Directory.Delete(kept, recursive: true);
            }
        }
    }

    [Fact]
    public async Task A_passing_test_gets_no_attachment_unless_it_asks_for_the_report_on_a_pass()
    {
        Calls.Reset();
        var plain = Assert.Single(await XunitRun.RunAsync(typeof(CleanTarget)));
        var asked = Assert.Single(await XunitRun.RunAsync(typeof(AssemblyDefaultsTarget)));

        Assert.Equal("Passed", plain.Result);
        Assert.Empty(plain.Attachments);
        Assert.Equal("Passed", asked.Result);
        Assert.Contains("did not leak", Assert.Single(asked.Attachments, a => a.Key.StartsWith("MemAssert report", StringComparison.Ordinal)).Value.AsString(), StringComparison.Ordinal);
        Assert.Single(asked.Attachments, a => a.Key.StartsWith("MemAssert live bytes per iteration", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_test_s_own_settings_win_over_its_class_s_defaults_which_win_over_its_assembly_s()
    {
        var outcomes = await XunitRun.RunAsync(typeof(ClassDefaultsTarget), typeof(AssemblyDefaultsTarget));

        Assert.Contains("Warm-up 5,", Report(outcomes, nameof(ClassDefaultsTarget.FromClass)), StringComparison.Ordinal);
        Assert.Contains("Warm-up 2,", Report(outcomes, nameof(ClassDefaultsTarget.OwnWins)), StringComparison.Ordinal);
        Assert.Contains("Warm-up 4,", Report(outcomes, nameof(AssemblyDefaultsTarget.FromAssembly)), StringComparison.Ordinal);

        static string Report(IReadOnlyList<TestOutcome> outcomes, string name) =>
            Assert.Single(Assert.Single(outcomes, o => o.Name == name).Attachments, a => a.Key.StartsWith("MemAssert report", StringComparison.Ordinal)).Value.AsString();
    }

    [Fact]
    public async Task A_throwing_test_fails_with_its_own_exception()
    {
        var outcomes = await XunitRun.RunAsync(typeof(ThrowingTarget), typeof(AsyncThrowingTarget));

        var sync = Assert.Single(outcomes, o => o.Name == nameof(ThrowingTarget.Throws));
        Assert.Equal("Failed", sync.Result);
        Assert.Equal(typeof(InvalidOperationException).FullName, sync.ExceptionType);
        Assert.Equal("boom from the test body", sync.Message);

        var async = Assert.Single(outcomes, o => o.Name == nameof(AsyncThrowingTarget.Throws_after_an_await));
        Assert.Equal("Failed", async.Result);
        Assert.Equal(typeof(FormatException).FullName, async.ExceptionType);
        Assert.Equal("async boom from the test body", async.Message);
    }

    [Fact]
    public async Task Growth_within_MaxGrowthPerIteration_passes()
    {
        var outcome = Assert.Single(await XunitRun.RunAsync(typeof(IgnoredLeakTarget)));

        Assert.Equal("Passed", outcome.Result);
    }

    [Fact]
    public async Task A_test_runs_in_the_serial_collection_unless_its_class_names_a_collection()
    {
        var outcomes = await XunitRun.RunAsync(typeof(CleanTarget), typeof(OwnCollectionTarget));

        Assert.Equal("MemAssert [NoGrowth] (runs alone)", Assert.Single(outcomes, o => o.Name == nameof(CleanTarget.Builds_and_drops_a_list)).CollectionName);
        Assert.Equal("MemAssert own collection", Assert.Single(outcomes, o => o.Name == nameof(OwnCollectionTarget.Does_nothing)).CollectionName);
    }

    [Fact]
    public async Task A_clean_test_passes_while_a_busy_test_runs_beside_it()
    {
        Neighbours.Reset();

        var outcomes = await XunitRun.RunAsync(typeof(CheckBesideNeighbour), typeof(BusyNeighbour));

        Assert.All(outcomes, o => Assert.Equal("Passed", o.Result));
        Assert.Equal(2, outcomes.Count);
        Assert.Equal("Neighbours: the check", Assert.Single(outcomes, o => o.Name == nameof(CheckBesideNeighbour.Builds_and_drops_a_dictionary)).CollectionName);
        Assert.True(Neighbours.NeighbourRounds > 0);
    }

    [Theory]
    [InlineData(typeof(InlineDataTarget), "Keeps(count: 0)", "Keeps(count: 1)", "`InlineDataTarget.Keeps(1)` leaked", false)]
    [InlineData(typeof(InlineDataTarget), "Keeps(count: 0)", "Keeps(count: 1)", "`InlineDataTarget.Keeps(1)` leaked", true)]
    [InlineData(typeof(MemberDataTarget), "Keeps(count: 0)", "Keeps(count: 2)", "`MemberDataTarget.Keeps(2)` leaked", false)]
    [InlineData(typeof(UnserialisableDataTarget), "Keeps(amount: 0)", "Keeps(amount: 1)", "`UnserialisableDataTarget.Keeps(Amount)` leaked", false)]
    public async Task Each_data_row_is_a_check_of_its_own(Type target, string clean, string leaking, string message, bool serialize)
    {
        var outcomes = await XunitRun.RunAsync(serialize, target);

        Assert.Equal(2, outcomes.Count);
        var passed = Assert.Single(outcomes, o => o.Name == clean);
        Assert.Equal("Passed", passed.Result);
        var failed = Assert.Single(outcomes, o => o.Name == leaking);
        Assert.Equal("Failed", failed.Result);
        Assert.Equal(FailureCause.Assertion, failed.Cause);
        Assert.Equal(typeof(NoGrowthException).FullName, failed.ExceptionType);
        Assert.StartsWith(message, failed.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(LeakedWidget), failed.Message, StringComparison.Ordinal);
        Assert.Contains(failed.Attachments.Keys, k => k.StartsWith("MemAssert leak report", StringComparison.Ordinal));
        Assert.Contains(failed.Attachments.Keys, k => k.StartsWith("MemAssert live bytes per iteration", StringComparison.Ordinal));
    }
}
