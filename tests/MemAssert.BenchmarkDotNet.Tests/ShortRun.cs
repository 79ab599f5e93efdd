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
    public const int Iterations = 10;
    public const int OperationsPerIteration = 64;

    private readonly string _artifacts = Path.Combine(Path.GetTempPath(), "memassert-bdn-tests-" + Guid.NewGuid().ToString("N"));

    public ShortRun()
    {
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(Iterations)
            .WithInvocationCount(OperationsPerIteration)
            .WithUnrollFactor(16);
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddLogger(Console)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddMemoryTrend()
            .WithArtifactsPath(_artifacts)
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);

        Summary = BenchmarkRunner.Run<Targets>(config);
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
