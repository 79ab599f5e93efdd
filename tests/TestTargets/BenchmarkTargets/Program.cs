using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using MemoryAssertions.BenchmarkDotNet;

namespace BenchmarkTargets;

/// <summary>
/// Runs <see cref="Targets"/> once, in process, with a short job, and prints one line <c>RESULT {json}</c>: for each
/// benchmark what the diagnoser measured and the cells of its columns, and the summary table as the console and the
/// GitHub Markdown export show it. Exit code 0 when the run finished.
/// </summary>
internal static class Program
{
    private static readonly string[] Columns = ["Leak", "Retained/op", "Heap trend"];

    /// <param name="args">Optionally <c>--iterations N</c>: the workload iterations instead of <see cref="ShortJob.Iterations"/>.</param>
    private static int Main(string[] args)
    {
        var iterations = args is ["--iterations", var count] ? int.Parse(count, System.Globalization.CultureInfo.InvariantCulture) : ShortJob.Iterations;
        var artifacts = Path.Combine(Path.GetTempPath(), "memassert-bdn-tests-" + Guid.NewGuid().ToString("N"));
        try
        {
            var job = Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(iterations)
                .WithInvocationCount(ShortJob.OperationsPerIteration)
                .WithUnrollFactor(16);
            var config = ManualConfig.CreateEmpty()
                .AddJob(job)
                // Nothing that grows during the run: an accumulating logger would add its own text to the live heap.
                .AddLogger(NullLogger.Instance)
                .AddColumnProvider(DefaultColumnProviders.Instance)
                .AddMemoryTrend()
                .WithArtifactsPath(artifacts)
                .WithOptions(ConfigOptions.DisableOptimizationsValidator);

            var summary = BenchmarkRunner.Run<Targets>(config);

            var console = new AccumulationLogger();
            MarkdownExporter.Console.ExportToLog(summary, console);
            var markdown = new AccumulationLogger();
            MarkdownExporter.GitHub.ExportToLog(summary, markdown);

            var columns = summary.GetColumns().Where(c => Columns.Contains(c.ColumnName)).ToArray();
            var legends = new JsonObject();
            foreach (var column in columns)
            {
                legends[column.ColumnName] = column.Legend;
            }

            var cases = new JsonArray();
            foreach (var report in summary.Reports)
            {
                var benchmarkCase = report.BenchmarkCase;
                var result = MemoryTrendDiagnoser.Default.GetResult(benchmarkCase);
                var cells = new JsonObject();
                foreach (var column in columns)
                {
                    cells[column.ColumnName] = column.GetValue(summary, benchmarkCase, summary.Style);
                }

                cases.Add(new JsonObject
                {
                    ["method"] = benchmarkCase.Descriptor.WorkloadMethod.Name,
                    ["success"] = report.Success,
                    ["measured"] = result is not null,
                    ["liveBytes"] = result is null ? null : new JsonArray([.. result.LiveBytes.Select(b => JsonValue.Create(b))]),
                    ["operationsPerIteration"] = result?.OperationsPerIteration ?? 0,
                    ["hasVerdict"] = result?.Verdict is not null,
                    ["isLeak"] = result?.IsLeak ?? false,
                    ["retainedBytesPerOperation"] = result is null || double.IsNaN(result.RetainedBytesPerOperation) ? null : result.RetainedBytesPerOperation,
                    ["cells"] = cells,
                });
            }

            var output = new JsonObject
            {
                ["iterations"] = iterations,
                ["legends"] = legends,
                ["operationsPerIteration"] = ShortJob.OperationsPerIteration,
                ["cases"] = cases,
                ["console"] = console.GetLog(),
                ["markdown"] = markdown.GetLog(),
            };
            Console.WriteLine("RESULT " + output.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
            return 0;
        }
        finally
        {
            Targets.Kept.Clear();
            if (Directory.Exists(artifacts))
            {
                Directory.Delete(artifacts, recursive: true);
            }
        }
    }
}

/// <summary>The short job's shape, which the tests assert against.</summary>
public static class ShortJob
{
    public const int Iterations = 12;

    // Enough operations per iteration that bytes the runtime itself keeps now and then (tiered JIT data) are small per
    // operation next to the 1 KB a leaking operation keeps.
    public const int OperationsPerIteration = 1_024;
}
