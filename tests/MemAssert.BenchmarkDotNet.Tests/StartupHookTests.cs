using System.Diagnostics;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using BenchmarkTargets;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using MemoryAssertions.BenchmarkDotNet;
using MemoryAssertions.BenchmarkDotNet.InProcess;

namespace MemAssert.BenchmarkDotNet.Tests;

public class StartupHookTests
{
    [Fact]
    public void Before_the_benchmark_process_starts_the_diagnoser_adds_its_startup_hook_and_a_private_output_file()
    {
        var diagnoser = new MemoryTrendDiagnoser(new MemoryTrendDiagnoserConfig());
        // A real benchmark case, as the runner builds it, without running it.
        var benchmarkCase = BenchmarkConverter.TypeToBenchmarks(typeof(Targets), DefaultConfig.Instance).BenchmarksCases
            .Single(c => c.Descriptor.WorkloadMethod.Name == nameof(Targets.Clean));
        using var process = new Process { StartInfo = new ProcessStartInfo("dotnet") };
        process.StartInfo.Environment["DOTNET_STARTUP_HOOKS"] = "/opt/other/Hook.dll";

        diagnoser.Handle(HostSignal.BeforeProcessStart, new DiagnoserActionParameters(process, benchmarkCase, default));

        Assert.Equal("/opt/other/Hook.dll" + Path.PathSeparator + "MemAssert.BenchmarkDotNet", process.StartInfo.Environment["DOTNET_STARTUP_HOOKS"]);
        var output = process.StartInfo.Environment[StartupHook.OutputVariable]!;
        var folder = Path.GetDirectoryName(output)!;
        Assert.True(Directory.Exists(folder));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        }

        // The benchmark process writes its readings; when it exits the host reads them and deletes the folder.
        File.WriteAllText(output, TrendProbe.Format([new(64, 1_000), new(64, 2_000), new(64, 3_000), new(64, 4_000)]));
        diagnoser.Handle(HostSignal.AfterProcessExit, new DiagnoserActionParameters(null, benchmarkCase, default));

        Assert.False(Directory.Exists(folder));
        var result = diagnoser.GetResult(benchmarkCase)!;
        Assert.Equal([1_000L, 2_000, 3_000, 4_000], result.LiveBytes);
        Assert.True(result.IsLeak);
        Assert.Equal(1_000.0 / 64, result.RetainedBytesPerOperation, 3);
    }

    [Fact]
    public void Readings_survive_the_trip_through_text_and_unreadable_lines_are_skipped()
    {
        TrendReading[] readings = [new(16, 123_456_789_012), new(16, 42)];

        var parsed = TrendProbe.Parse(TrendProbe.Format(readings) + "garbage\n1 2 3\n");

        Assert.Equal(readings, parsed);
    }
}
