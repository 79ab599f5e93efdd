using System.Collections.Concurrent;
using BenchmarkDotNet.Analysers;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Environments;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;
using BenchmarkDotNet.Validators;
using MemoryAssertions.BenchmarkDotNet.InProcess;

namespace MemoryAssertions.BenchmarkDotNet;

/// <summary>
/// Says whether a benchmark retains memory. Inside the benchmark process, after each actual workload iteration (outside
/// the measured interval), it collects the heap fully and reads the live bytes; the series is judged by MemAssert's
/// growth rule (<see cref="GrowthAnalysis"/>). Adds the columns <c>Retained/op</c>, <c>Leak</c> and, with
/// <c>config.AddMemoryTrend()</c>
/// or <see cref="MemoryTrendDiagnoserAttribute"/>, <c>Heap trend</c>.
/// </summary>
/// <remarks>
/// Out of process (the default toolchain) the diagnoser sets <c>DOTNET_STARTUP_HOOKS</c> on the benchmark process so
/// that a listener of BenchmarkDotNet's engine events runs there; the readings come back through a private temporary
/// file, deleted when the process exits. In process, the listener runs in the host. Cost: two forced full GCs and the
/// finalizer queue after every actual workload iteration, between BenchmarkDotNet's own clock stop and its own GCs.
/// </remarks>
public sealed class MemoryTrendDiagnoser : IDiagnoser
{
    /// <summary>The diagnoser with the default config: any sustained growth is a leak.</summary>
    public static readonly MemoryTrendDiagnoser Default = new(new MemoryTrendDiagnoserConfig());

    private readonly ConcurrentDictionary<BenchmarkCase, MemoryTrendResult> _results = new();
    private readonly ConcurrentDictionary<BenchmarkCase, Session> _sessions = new();

    /// <summary>Creates a diagnoser with <paramref name="config"/>.</summary>
    public MemoryTrendDiagnoser(MemoryTrendDiagnoserConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfNegative(config.MaxGrowthPerIteration);
        ArgumentOutOfRangeException.ThrowIfLessThan(config.SparklineWidth, 1);
        Config = config;
    }

    /// <summary>How the series is judged.</summary>
    public MemoryTrendDiagnoserConfig Config { get; }

    /// <inheritdoc />
    public IEnumerable<string> Ids => ["MemoryTrend"];

    /// <inheritdoc />
    public IEnumerable<IExporter> Exporters => [];

    /// <inheritdoc />
    public IEnumerable<IAnalyser> Analysers => [];

    /// <summary>What was measured for <paramref name="benchmarkCase"/>, or null when it has not run with this diagnoser.</summary>
    public MemoryTrendResult? GetResult(BenchmarkCase benchmarkCase)
    {
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        return _results.TryGetValue(benchmarkCase, out var result) ? result : null;
    }

    /// <inheritdoc />
    public RunMode GetRunMode(BenchmarkCase benchmarkCase) => RunMode.NoOverhead;

    /// <inheritdoc />
    public void Handle(HostSignal signal, DiagnoserActionParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var benchmarkCase = parameters.BenchmarkCase;
        switch (signal)
        {
            case HostSignal.BeforeProcessStart when parameters.Process is { } process:
                // Out of process: the benchmark process has not started yet; its start info can still be changed.
                var session = Session.Create();
                _sessions[benchmarkCase] = session;
                var environment = process.StartInfo.Environment;
                var hook = StartupHook.HookName;
                environment[StartupHook.HooksVariable] = environment.TryGetValue(StartupHook.HooksVariable, out var existing) && !string.IsNullOrEmpty(existing)
                    ? existing + Path.PathSeparator + hook
                    : hook;
                environment[StartupHook.OutputVariable] = session.OutputPath;
                break;

            case HostSignal.BeforeAnythingElse when !_sessions.ContainsKey(benchmarkCase):
                // In process: no process was started for us, so listen here.
                _sessions[benchmarkCase] = Session.CreateInProcess();
                break;

            case HostSignal.AfterAll when _sessions.TryGetValue(benchmarkCase, out var inProcess) && inProcess.Probe is not null:
                Complete(benchmarkCase, inProcess.Finish());
                _sessions.TryRemove(benchmarkCase, out _);
                break;

            case HostSignal.AfterProcessExit when _sessions.TryRemove(benchmarkCase, out var outOfProcess):
                Complete(benchmarkCase, outOfProcess.Finish());
                break;
        }
    }

    /// <inheritdoc />
    public IEnumerable<Metric> ProcessResults(DiagnoserResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (_sessions.TryRemove(results.BenchmarkCase, out var leftover))
        {
            Complete(results.BenchmarkCase, leftover.Finish());
        }

        var result = GetResult(results.BenchmarkCase);
        if (result?.Verdict is null)
        {
            yield return new Metric(MemoryTrendMetrics.RetainedPerOperation, double.NaN);
            yield return new Metric(MemoryTrendMetrics.Leak, MemoryTrendMetrics.NotJudged);
            yield break;
        }

        yield return new Metric(MemoryTrendMetrics.RetainedPerOperation, result.RetainedBytesPerOperation);
        yield return new Metric(MemoryTrendMetrics.Leak, result.IsLeak ? 1 : -1);
    }

    /// <inheritdoc />
    public void DisplayResults(ILogger logger)
    {
    }

    /// <inheritdoc />
    public IEnumerable<ValidationError> Validate(ValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        foreach (var benchmarkCase in validationParameters.Benchmarks)
        {
            var toolchain = benchmarkCase.Job.Infrastructure.Toolchain;
            var inProcess = toolchain is InProcessEmitToolchain or InProcessNoEmitToolchain;
            var runtime = benchmarkCase.GetRuntime();
            if (!inProcess && runtime is not CoreRuntime)
            {
                yield return new ValidationError(
                    false,
                    $"MemoryTrendDiagnoser measures through a startup hook, which needs .NET (CoreCLR); {runtime.Name} is not supported: its columns will show '?'.",
                    benchmarkCase);
            }
        }
    }

    /// <summary>The fewest workload iterations the growth rule judges (one reading each); below it <c>Leak</c> is <c>?</c>.</summary>
    internal const int MinimumIterations = 3;

    /// <summary>The diagnoser in the config of <paramref name="benchmarkCase"/>, if any.</summary>
    internal static MemoryTrendDiagnoser? Find(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Config.GetDiagnosers().OfType<MemoryTrendDiagnoser>().FirstOrDefault();

    private void Complete(BenchmarkCase benchmarkCase, TrendReading[] readings)
    {
        var live = readings.Select(r => r.LiveBytes).ToArray();
        var operations = readings.Length == 0 ? 0 : readings[^1].Operations;
        var verdict = live.Length >= MinimumIterations ? GrowthAnalysis.Analyze(live, Config.MaxGrowthPerIteration) : null;
        _results[benchmarkCase] = new MemoryTrendResult(live, operations, verdict);
    }

    /// <summary>One diagnosed run: a private folder for the benchmark process's readings, or an in-process listener.</summary>
    private sealed class Session
    {
        private readonly string? _directory;

        private Session(string? directory, TrendProbe? probe)
        {
            _directory = directory;
            Probe = probe;
        }

        public TrendProbe? Probe { get; }

        public string OutputPath => Path.Combine(_directory!, "trend.txt");

        public static Session Create()
        {
            var path = Path.Combine(Path.GetTempPath(), "memassert-trend-" + Guid.NewGuid().ToString("N"));
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
            }
            else
            {
                Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            return new Session(path, null);
        }

        public static Session CreateInProcess() => new(null, new TrendProbe(outputPath: null));

        public TrendReading[] Finish()
        {
            if (Probe is not null)
            {
                var readings = Probe.Readings;
                Probe.Dispose();
                return readings;
            }

            try
            {
                return File.Exists(OutputPath) ? TrendProbe.Parse(File.ReadAllText(OutputPath)) : [];
            }
            finally
            {
                try
                {
                    Directory.Delete(_directory!, recursive: true);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
    }
}
