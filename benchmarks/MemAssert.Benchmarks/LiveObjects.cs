using System.Globalization;

namespace MemoryAssertions.Benchmarks;

/// <summary>
/// The heap the measurements run on, an ordinary object graph: a <c>Dictionary&lt;int, Node&gt;</c> held by a static
/// field, each node with a string and an <c>int[4]</c> (three objects per node; N live objects are N / 3 nodes).
/// </summary>
internal static class LiveObjects
{
    private static Dictionary<int, Node> s_nodes = [];

    public static void Build(int count)
    {
        var nodes = count / 3;
        s_nodes = new Dictionary<int, Node>(nodes);
        for (var i = 0; i < nodes; i++)
        {
            s_nodes[i] = new Node("node-" + i.ToString(CultureInfo.InvariantCulture), [i, i + 1, i + 2, i + 3]);
        }

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>Live objects built: three per node.</summary>
    public static int Count => s_nodes.Count * 3;

    private sealed class Node(string name, int[] values)
    {
        public string Name { get; } = name;

        public int[] Values { get; } = values;
    }
}

/// <summary>What the failing delegate leaks: one of these per call, kept by a static list.</summary>
internal sealed class LeakedRecord
{
    public static readonly List<LeakedRecord> Kept = [];

    public long Id;
}
