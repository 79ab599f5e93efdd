using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using MemoryAssertions.BenchmarkDotNet;

namespace MemAssert.BenchmarkDotNet.Tests;

/// <summary>Runs <see cref="Targets"/> once, in process, with a short job, and keeps the summary and the printed text.</summary>
public sealed class ShortRun : IDisposable
{
    public const int Iterations = 12;
    // Enough operations per iteration that bytes the test host itself keeps now and then (runner messages, tiered JIT
    // data) are small per operation next to the 1 KB a leaking operation keeps.
    public const int OperationsPerIteration = 1_024;

    private readonly string _artifacts = Path.Combine(Path.GetTempPath(), "memassert-bdn-tests-" + Guid.NewGuid().ToString("N"));

    public ShortRun()
    {
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(Iterations)
            .WithInvocationCount(OperationsPerIteration)
            .WithUnrollFactor(16);
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            // Nothing that grows during the run: an accumulating logger would add its own text to the live heap.
            .AddLogger(NullLogger.Instance)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddMemoryTrend()
            .WithArtifactsPath(_artifacts)
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);

        Summary = BenchmarkRunner.Run<Targets>(config);

        // The summary table as the console shows it, and as the GitHub Markdown export writes it.
        MarkdownExporter.Console.ExportToLog(Summary, Console);
        var markdown = new AccumulationLogger();
        MarkdownExporter.GitHub.ExportToLog(Summary, markdown);
        Markdown = markdown.GetLog();
    }

    public AccumulationLogger Console { get; } = new();

    public Summary Summary { get; }

    public string Markdown { get; }

    public BenchmarkCase Case(string method) => Summary.BenchmarksCases.Single(c => c.Descriptor.WorkloadMethod.Name == method);

    public string Cell(string method, string column) =>
        Summary.GetColumns().Single(c => c.ColumnName == column).GetValue(Summary, Case(method), Summary.Style);

    public void Dispose()
    {
        Targets.Kept.Clear();
        if (Directory.Exists(_artifacts))
        {
            Directory.Delete(_artifacts, recursive: true);
        }
    }
}
