using System.Text.Json;
using BenchmarkTargets;
using MemoryAssertions.TestTargets;

namespace MemAssert.BenchmarkDotNet.Tests;

/// <summary>What the diagnoser measured for one benchmark of the short run, and the cells of its columns.</summary>
public sealed record ShortRunCase(
    string Method,
    bool Success,
    bool Measured,
    long[]? LiveBytes,
    int OperationsPerIteration,
    bool HasVerdict,
    bool IsLeak,
    double? RetainedBytesPerOperation,
    Dictionary<string, string> Cells);

/// <summary>
/// Runs the BenchmarkTargets program once, in a child process of its own (so that no test host's threads move the live
/// heap it measures), and keeps what it printed: each benchmark's readings and cells, the console and Markdown tables.
/// </summary>
public class ShortRun
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public ShortRun()
        : this([])
    {
    }

    /// <param name="arguments">The program's arguments (<c>--iterations N</c>).</param>
    protected ShortRun(string[] arguments)
    {
        var output = TargetProgram.Run("BenchmarkTargets", arguments, TimeSpan.FromMinutes(3));
        var line = output.Split('\n').Single(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        var result = JsonSerializer.Deserialize<Output>(line["RESULT ".Length..], Json)!;
        Cases = result.Cases;
        Console = result.Console;
        Markdown = result.Markdown;
        Legends = result.Legends;
    }

    /// <summary>Each column's legend, by column name.</summary>
    public Dictionary<string, string> Legends { get; }

    public IReadOnlyList<ShortRunCase> Cases { get; }

    /// <summary>The summary table as the console shows it.</summary>
    public string Console { get; }

    /// <summary>The summary table as the GitHub Markdown export writes it.</summary>
    public string Markdown { get; }

    public ShortRunCase Case(string method) => Cases.Single(c => c.Method == method);

    public string Cell(string method, string column) => Case(method).Cells[column];

    private sealed record Output(ShortRunCase[] Cases, string Console, string Markdown, Dictionary<string, string> Legends);
}

/// <summary>The same run with 2 workload iterations: too few for the growth rule to judge.</summary>
public sealed class TooShortRun() : ShortRun(["--iterations", "2"]);
