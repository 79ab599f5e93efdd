// The C# counterpart of the tracemalloc walk-through (memleak.py + profiler.py):
// a function that leaks, five snapshots, statistics, comparisons, the retention path of the biggest growth, a typed
// query of what the last snapshot holds, and finally the one-line assertion that turns all of it into a failing test.
using MemoryAssertions;

namespace MemLeakDemo;

internal static class Leaky
{
    // The leak: every call appends a new array to a static list that nothing ever clears.
    public static readonly List<long[]> Retained = [];

    public static void Leak() => Retained.Add(new long[10_000]);
}

internal static class Program
{
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static int Main()
    {
        Console.WriteLine("== 1. Five snapshots, one after each call of Leaky.Leak() ==");
        var snapshots = new List<HeapSnapshot>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                Leaky.Leak();
                Settle();
                snapshots.Add(HeapSnapshot.Take());
            }

            Console.WriteLine($"(route: {snapshots[0].Route}, {snapshots[0].Elapsed.TotalMilliseconds:N0} ms per snapshot)");
            Console.WriteLine();
            Console.WriteLine("== 2. Statistics of the first snapshot, grouped by type (top 10) ==");
            foreach (var stat in snapshots[0].GetStatistics(GroupBy.Type).Take(10))
            {
                Console.WriteLine($"  {stat.Bytes,12:N0} B  {stat.Count,8:N0}  {stat.Key}");
            }

            Console.WriteLine();
            Console.WriteLine("== 3. Each later snapshot compared with the first (top 3 by growth) ==");
            for (var i = 1; i < snapshots.Count; i++)
            {
                Console.WriteLine($"snapshot {i + 1} vs snapshot 1:");
                foreach (var delta in snapshots[i].Diff(snapshots[0]).Where(d => d.BytesDelta > 0).Take(3))
                {
                    Console.WriteLine($"  {delta.BytesDelta,+12:+#,0;-#,0;0} B  {delta.CountDelta,+6:+#,0;-#,0;0}  {delta.Key}");
                }
            }

            Console.WriteLine();
            Console.WriteLine("== 4. Who holds the largest growth? ==");
            var biggest = snapshots[^1].Diff(snapshots[0]).First(d => d.BytesDelta > 0);
            foreach (var path in snapshots[^1].FindRetentionPaths(biggest.Key, max: 1))
            {
                Console.WriteLine($"  {path.Instances} of {path.TotalInstances} {path.TypeName} held by {path.RootName} ({path.RootTypeName})");
                foreach (var hop in path.Hops)
                {
                    Console.WriteLine($"    → {(hop.Field.StartsWith('[') ? hop.Field : "." + hop.Field)} {hop.TypeName}");
                }
            }

            Console.WriteLine();
            Console.WriteLine("== 5. A typed query: which long[] does the last snapshot hold, and who holds them? ==");
            var arrays = snapshots[^1].InstancesOf<long[]>();
            Console.WriteLine($"  {arrays.Count:N0} × {arrays.Key}, {arrays.Bytes:N0} B");
            foreach (var path in snapshots[^1].FindRetentionPaths(arrays.Key, max: 2))
            {
                Console.WriteLine($"  {path.Instances} held by {path.RootName}{string.Concat(path.Hops.Select(h => " → " + h.Field))}");
            }
        }
        catch (SnapshotUnavailableException ex)
        {
            Console.WriteLine($"Heap snapshots are not available here: {ex.Message}");
        }
        finally
        {
            foreach (var snapshot in snapshots)
            {
                snapshot.Dispose();
            }
        }

        Console.WriteLine();
        Console.WriteLine("== 6. The same question as one assertion: MemAssert.NoLeak(() => Leaky.Leak()) ==");
        try
        {
            MemAssert.NoLeak(() => Leaky.Leak());
            Console.WriteLine("No leak found (unexpected for this demo).");
            return 1;
        }
        catch (MemoryLeakException ex)
        {
            Console.WriteLine("MemoryLeakException:");
            Console.WriteLine(ex.Message);
            return 0;
        }
    }
}
