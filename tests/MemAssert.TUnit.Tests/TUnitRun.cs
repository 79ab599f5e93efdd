using System.Xml.Linq;
using MemoryAssertions.TestTargets;

namespace MemAssert.TUnit.Tests;

/// <summary>One TUnit test's result as TUnit's TRX report has it, with the files attached to it.</summary>
public sealed record TUnitResult(string Name, string Outcome, string Message, string StackTrace, IReadOnlyList<string> Files);

/// <summary>
/// Runs the TUnitTargets program once (TUnit on Microsoft.Testing.Platform, in a child process of its own) with a TRX
/// report, and keeps each test's result. The report folder is deleted when the tests are done.
/// </summary>
public sealed class TUnitRun : IDisposable
{
    private static readonly XNamespace Trx = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
    private readonly string _results = Directory.CreateTempSubdirectory("memassert-tunit-tests-").FullName;

    public TUnitRun()
    {
        // Exit code 2: some tests failed, as the leaking and throwing targets must.
        Output = TargetProgram.Run("TUnitTargets", ["--report-trx", "--report-trx-filename", "result.trx", "--results-directory", _results], TimeSpan.FromMinutes(3), exitCode: 2);
        var trx = XDocument.Load(Path.Combine(_results, "result.trx"));
        Results = trx.Descendants(Trx + "UnitTestResult").Select(Read).ToDictionary(r => r.Name);
    }

    public string Output { get; }

    public IReadOnlyDictionary<string, TUnitResult> Results { get; }

    public void Dispose() => Directory.Delete(_results, recursive: true);

    private TUnitResult Read(XElement result)
    {
        var error = result.Descendants(Trx + "ErrorInfo").FirstOrDefault();
        var id = (string)result.Attribute("executionId")!;
        var files = result.Descendants(Trx + "ResultFile")
            .Select(f => Directory.GetFiles(_results, Path.GetFileName((string)f.Attribute("path")!), SearchOption.AllDirectories).Single(p => p.Contains(id, StringComparison.Ordinal)))
            .ToList();
        return new TUnitResult(
            (string)result.Attribute("testName")!,
            (string)result.Attribute("outcome")!,
            (string?)error?.Element(Trx + "Message") ?? "",
            (string?)error?.Element(Trx + "StackTrace") ?? "",
            files);
    }
}
