using System.Globalization;
using MemoryAssertions;
using MemoryAssertions.Benchmarks;

// The performance harness: run by hand, not by the test suite.
//   dotnet run -c Release --project benchmarks/MemAssert.Benchmarks -- all [--sizes 100000,1000000,5000000] [--runs 3]
//       [--cases pass,live,dump,gcdump,snapshot] [--timeout SECONDS] [--out FILE.md] [--svg FILE.svg]   (progress and rows on stderr)
//   ... -- report LOG [LOG ...] [--out FILE.md] [--svg FILE.svg]   tables and plot again from saved stderr logs
// Child modes (started by "all", one measurement per process):
//   pass <objects> <runs> | fail <objects> <Live|Dump> <run> | snapshot <objects> <Live|Dump> | gcdump-target <objects>
var mode = args.Length > 0 ? args[0] : "all";
int Int(int i) => int.Parse(args[i], CultureInfo.InvariantCulture);
switch (mode)
{
    case "pass":
        Cases.Pass(Int(1), Int(2));
        return 0;
    case "fail":
        Cases.Fail(Int(1), Enum.Parse<SnapshotRoute>(args[2]), Int(3));
        return 0;
    case "snapshot":
        Cases.Snapshot(Int(1), Enum.Parse<SnapshotRoute>(args[2]));
        return 0;
    case "gcdump-target":
        Cases.GcdumpTarget(Int(1));
        return 0;
    case "report":
        return Orchestrator.Report(args[1..]);
    case "all":
        return Orchestrator.Run(args[1..]);
    default:
        Console.Error.WriteLine($"unknown mode '{mode}': use all, pass, fail or gcdump-target");
        return 2;
}
