namespace MemoryAssertions.Tests;

/// <summary>
/// Runs a check that must find a leak. When it passes instead, the test fails with the whole passing report (verdict and
/// live-heap series), so that a rare miss can be read from the CI log rather than guessed at.
/// </summary>
internal static class ExpectLeak
{
    public static MemoryLeakException From(Func<LeakReport> check)
    {
        LeakReport passed;
        try
        {
            passed = check();
        }
        catch (MemoryLeakException leak)
        {
            return leak;
        }

        Assert.Fail("A leak was expected, but the check passed:" + Environment.NewLine + passed.Text);
        return null!;
    }
}

/// <summary>What tests ask of a report's leaks.</summary>
internal static class LeakReportExtensions
{
    /// <summary>The types of every path group the report's leaks are made of: the leaked objects, what they own and what holds them.</summary>
    public static IEnumerable<string> GrowingTypes(this LeakReport report) =>
        report.Leaks.SelectMany(l => l.Owned.Concat(l.HeldThrough).Prepend(l.Leaked)).Select(g => g.TypeName);
}
