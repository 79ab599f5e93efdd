using System.Globalization;
using MemoryAssertions;

namespace LeakTargets;

// A test suite's shape in one process: checks of shared types (byte[], string, object[]) one after another, each leaking
// into a holder of its own and never cleaned up (as a suite's earlier tests leave things behind), clean checks between
// them, and other "tests" running in parallel on the thread pool all the while, allocating and holding the same types.

public static class SuiteA
{
    public static readonly List<byte[]> Buffers = [];
}

public static class SuiteB
{
    public static readonly List<string> Names = [];
}

public static class SuiteC
{
    public static readonly Queue<object[]> Rows = new();
}

public static class SuiteD
{
    public static readonly Dictionary<int, byte[]> BuffersById = [];
}

/// <summary>
/// Other tests running in parallel: a bounded working set of the same types, its objects replaced round and round by
/// new ones of the same size (a steady state: what other tests retain neither grows nor shrinks), and garbage besides.
/// </summary>
public static class ParallelTests
{
    public static readonly object?[] WorkingSet = new object?[512];

    private static volatile bool s_stop;

    public static Task[] Start(int workers)
    {
        var tasks = new Task[workers];
        for (var w = 0; w < workers; w++)
        {
            var seed = w;
            tasks[w] = Task.Factory.StartNew(() => Work(seed), TaskCreationOptions.LongRunning);
        }

        return tasks;
    }

    public static void Stop() => s_stop = true;

    private static void Work(int seed)
    {
        var random = new Random(seed);
        var n = 0;
        while (!s_stop)
        {
            var slot = random.Next(WorkingSet.Length);
            WorkingSet[slot] = (slot % 3) switch
            {
                0 => new byte[16 + slot],
                1 => new string('x', 1 + (slot % 64)),
                _ => new object[1 + (slot % 16)],
            };
            n++;

            // Garbage besides, as any test makes.
            _ = string.Concat("row ", n.ToString(CultureInfo.InvariantCulture));
            if (n % 64 == 0)
            {
                Thread.Sleep(1);
            }
        }
    }
}

internal static class Suite
{
    public static void Run(SnapshotRoute route)
    {
        var options = new LeakOptions { Snapshots = route };
        // The working set is full before the first check, as a suite's steady state is.
        var workers = ParallelTests.Start(2);
        while (ParallelTests.WorkingSet.Any(o => o is null))
        {
            Thread.Sleep(10);
        }

        try
        {
            var id = 0;
            Program.Emit("A", MemAssert.Measure(() => SuiteA.Buffers.Add(new byte[100]), options));
            Program.Emit("clean-1", MemAssert.Measure(() => _ = new byte[100], options));
            Program.Emit("B", MemAssert.Measure(() => SuiteB.Names.Add(new string('n', 20)), options));
            Program.Emit("C", MemAssert.Measure(() => SuiteC.Rows.Enqueue(new object[3]), options));
            Program.Emit("clean-2", MemAssert.Measure(Clean.GarbageOnly, options));
            Program.Emit("D", MemAssert.Measure(() => SuiteD.BuffersById[id++] = new byte[100], options));
        }
        finally
        {
            ParallelTests.Stop();
            Task.WaitAll(workers, TimeSpan.FromSeconds(10));
        }
    }
}
