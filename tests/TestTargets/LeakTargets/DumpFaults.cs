using System.Diagnostics;
using MemoryAssertions;
using MemoryAssertions.Snapshots;

namespace LeakTargets;

/// <summary>Scenarios of the dump route that need a process of their own: one that is killed while it reads its dump.</summary>
internal static class DumpFaults
{
    /// <summary>
    /// Takes a dump-route snapshot and kills itself (SIGKILL: nothing of MemAssert's cleanup runs) once ClrMD has the dump
    /// open, before the walk; prints <c>READING &lt;private folder&gt;</c> first.
    /// </summary>
    public static void KilledWhileReading(SnapshotRoute route)
    {
        DumpRoute.WhileReading = (_, folder) =>
        {
            Console.WriteLine("READING " + folder);
            Console.Out.Flush();
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        };
        using var snapshot = HeapSnapshot.Take(route);
    }

    /// <summary>A sparse leak (fewer objects than calls), whose confirmation is therefore taken a second time, with its dumps kept; prints <c>FILES n</c>, the files in the folder.</summary>
    public static void KeptTwice(SnapshotRoute route)
    {
        var keep = Path.Combine(Path.GetTempPath(), "memassert-keep-" + Guid.NewGuid().ToString("N"));
        try
        {
            Program.Emit("kept-twice", MemAssert.Measure(Leaks.EveryTenthCall, new LeakOptions { MaxIterations = 160, Snapshots = route, KeepSnapshotsIn = keep }));
            Console.WriteLine("FILES " + (Directory.Exists(keep) ? Directory.GetFiles(keep).Length : 0));
        }
        finally
        {
            if (Directory.Exists(keep))
            {
                Directory.Delete(keep, recursive: true);
            }
        }
    }
}
