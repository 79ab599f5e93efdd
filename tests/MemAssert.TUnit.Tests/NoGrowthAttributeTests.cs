namespace MemAssert.TUnit.Tests;

/// <summary>[Test, NoGrowth] as TUnit runs it: verdicts, the failure's message and stack trace, attachments, cases, defaults.</summary>
public sealed class NoGrowthAttributeTests(TUnitRun run) : IClassFixture<TUnitRun>
{
    [Fact]
    public void Clean_tests_pass_with_nothing_attached()
    {
        Assert.All(new[] { "Clean", "CleanAsync" }, name =>
        {
            Assert.Equal("Passed", run.Results[name].Outcome);
            Assert.Empty(run.Results[name].Files);
        });
    }

    [Fact]
    public void A_leaking_test_fails_with_the_report_naming_the_leaked_type_and_its_stack_trace_at_the_test()
    {
        var leak = run.Results["Leaks"];

        Assert.Equal("Failed", leak.Outcome);
        Assert.StartsWith("NoGrowthException: `LeakingTargets.Leaks` leaked", leak.Message, StringComparison.Ordinal);
        Assert.Contains("TUnitTargets.TUnitLeakedPayload", leak.Message, StringComparison.Ordinal);
        var first = leak.StackTrace.Split('\n')[0].Trim();
        Assert.StartsWith("at TUnitTargets.LeakingTargets.Leaks() in ", first, StringComparison.Ordinal);
        Assert.Matches(@"Targets\.cs:line \d+$", first);
    }

    [Fact]
    public void A_leaking_test_gets_the_report_and_the_plot_attached()
    {
        var leak = run.Results["Leaks"];

        var text = Assert.Single(leak.Files, f => f.EndsWith(".txt", StringComparison.Ordinal));
        Assert.StartsWith("`LeakingTargets.Leaks` leaked", File.ReadAllText(text), StringComparison.Ordinal);
        var plot = Assert.Single(leak.Files, f => f.EndsWith(".svg", StringComparison.Ordinal));
        Assert.Equal("svg", System.Xml.Linq.XDocument.Load(plot).Root!.Name.LocalName);
    }

    [Fact]
    public void A_throwing_test_fails_with_its_own_exception()
    {
        var thrown = run.Results["ThrowsOnThirdCall"];

        Assert.Equal("Failed", thrown.Outcome);
        Assert.StartsWith("InvalidOperationException: the body failed on call 3", thrown.Message, StringComparison.Ordinal);
        Assert.Empty(thrown.Files);
    }

    [Fact]
    public void Each_argument_case_is_a_check_of_its_own()
    {
        Assert.Equal("Passed", run.Results["Keeps(0)"].Outcome);
        Assert.Equal("Failed", run.Results["Keeps(1)"].Outcome);
        Assert.StartsWith("NoGrowthException: `ParameterisedTargets.Keeps(1)` leaked", run.Results["Keeps(1)"].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_test_s_own_settings_win_over_its_class_s_defaults_which_win_over_its_assembly_s()
    {
        Assert.Contains("Warm-up 5,", Report("FromClass"), StringComparison.Ordinal);
        Assert.Contains("Warm-up 2,", Report("OwnWins"), StringComparison.Ordinal);
        Assert.Contains("Warm-up 4,", Report("FromAssembly"), StringComparison.Ordinal);

        string Report(string name)
        {
            Assert.Equal("Passed", run.Results[name].Outcome);
            return File.ReadAllText(Assert.Single(run.Results[name].Files, f => f.EndsWith(".txt", StringComparison.Ordinal)));
        }
    }
}
