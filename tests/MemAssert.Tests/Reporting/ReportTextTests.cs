using MemoryAssertions.Reporting;

namespace MemoryAssertions.Tests.Reporting;

/// <summary>The report text, pinned: each scenario's text is compared with an approved file (Approved/*.approved.txt).</summary>
public sealed class ReportTextTests
{
    private static LeakReport LeakReport() => new()
    {
        Expression = "handler.Handle(request)",
        IsLeak = true,
        Verdict = "the live heap grew in every quarter of 40 iterations and the heap snapshots confirmed it",
        Warmup = 3,
        Iterations = 40,
        LiveBytes = Enumerable.Range(0, 41).Select(i => 1_000_000L + (24L * i)).ToArray(),
        GrowthPerIteration = 24,
        SnapshotIterations = 20,
        Diff =
        [
            new TypeDelta("MyApp.Session", 63, 1_512, 20, 480),
            new TypeDelta("System.String", 400, 20_000, 2, 64),
        ],
        GrowingTypes = [new TypeDelta("MyApp.Session", 63, 1_512, 20, 480)],
        RetentionPaths =
        [
            new RetentionPath(
                "MyApp.Session",
                63,
                63,
                RootKind.StaticField,
                "MyApp.Holders.Cache",
                "System.Collections.Generic.List<MyApp.Session>",
                [new RetentionHop("_items", "MyApp.Session[]"), new RetentionHop("[i]", "MyApp.Session")]),
        ],
        SnapshotRoute = "live",
        GroupBy = GroupBy.Type,
        Elapsed = TimeSpan.FromMilliseconds(1234),
        SnapshotsElapsed = TimeSpan.FromMilliseconds(612),
    };

    private static void Verify(string name, string text)
    {
        var approvedFile = Path.Combine(AppContext.BaseDirectory, "Approved", name + ".approved.txt");
        var sourceFile = Path.Combine(SourceDirectory(), "Approved", name + ".approved.txt");
        var received = text.ReplaceLineEndings("\n");
        if (!File.Exists(approvedFile) || File.ReadAllText(approvedFile).ReplaceLineEndings("\n") != received)
        {
            var receivedFile = Path.ChangeExtension(sourceFile, null).Replace(".approved", ".received", StringComparison.Ordinal) + ".txt";
            File.WriteAllText(receivedFile, received);
            Assert.Fail($"The text differs from {sourceFile}; see {receivedFile}. Review it and rename it to approve.");
        }
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetDirectoryName(Path.GetDirectoryName(path))!;

    [Fact]
    public void Leak_report() => Verify("LeakReport", ReportBuilder.Build(LeakReport()));

    [Fact]
    public void Sparse_leak_headline() =>
        Assert.Equal(
            "`f()` leaked ~2.4 B per iteration (1 × MyApp.Item every 10 iterations) over 80 iterations.",
            ReportBuilder.Headline(new LeakReport
            {
                Expression = "f()",
                IsLeak = true,
                Iterations = 80,
                GrowthPerIteration = 2.4,
                SnapshotIterations = 40,
                GrowingTypes = [new TypeDelta("MyApp.Item", 12, 288, 4, 96)],
            }));

    [Fact]
    public void Leak_report_without_snapshots() => Verify("LeakReportWithoutSnapshots", ReportBuilder.Build(new LeakReport
    {
        Expression = "cache.Add(item)",
        IsLeak = true,
        Verdict = "the live heap grew in every quarter of 20 iterations; heap snapshots were not available to confirm it",
        Warmup = 3,
        Iterations = 20,
        LiveBytes = Enumerable.Range(0, 21).Select(i => 2_000_000L + (80_024L * i)).ToArray(),
        GrowthPerIteration = 80_024,
        SnapshotsUnavailableReason = "snapshots were turned off (LeakOptions.Snapshots = None).",
        Elapsed = TimeSpan.FromMilliseconds(8),
    }));

    [Fact]
    public void Passing_report() => Verify("PassingReport", ReportBuilder.Build(new LeakReport
    {
        Expression = "() => handler.Handle(request)",
        IsLeak = false,
        Verdict = "the live heap did not grow",
        Warmup = 3,
        Iterations = 20,
        LiveBytes = Enumerable.Repeat(1_500_000L, 21).ToArray(),
        Elapsed = TimeSpan.FromMilliseconds(9),
    }));

    [Fact]
    public void Sparkline_spans_lowest_to_highest_and_fits_the_width()
    {
        Assert.Equal("▁▂▃▄▅▆▇█", Sparkline.Render([0, 1, 2, 3, 4, 5, 6, 7]));
        Assert.Equal("▁▁▁", Sparkline.Render([5, 5, 5]));
        Assert.Equal(60, Sparkline.Render(Enumerable.Range(0, 1000).Select(i => (long)i).ToArray(), 60).Length);
        Assert.Equal("", Sparkline.Render([]));
    }
}
