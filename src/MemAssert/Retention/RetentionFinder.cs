using MemoryAssertions.Snapshots;

namespace MemoryAssertions.Retention;

/// <summary>
/// Retention paths from a snapshot's breadth-first walk: each instance's chain of first-reaching references back to its
/// root, shortest by construction. Paths are grouped by shape (root, then field and type at each step, with runs of the
/// same step folded, so every node of a linked list shares one shape) and the most shared shapes come first.
/// </summary>
internal static class RetentionFinder
{
    /// <summary>Above this many instances a regular sample is traced and the counts scaled.</summary>
    private const int MaxTraced = 20_000;

    public static IReadOnlyList<RetentionPath> Find(HeapGraph graph, string typeName, int max)
    {
        if (max == 0)
        {
            return [];
        }

        var typeIds = new HashSet<int>();
        for (var t = 0; t < graph.Types.Count; t++)
        {
            if (string.Equals(graph.Types[t].Name, typeName, StringComparison.Ordinal))
            {
                typeIds.Add(t);
            }
        }

        if (typeIds.Count == 0)
        {
            return [];
        }

        var instances = new List<int>();
        for (var i = 0; i < graph.Count; i++)
        {
            if (typeIds.Contains(graph.TypeOf[i]))
            {
                instances.Add(i);
            }
        }

        var step = Math.Max(1, instances.Count / MaxTraced);
        var shapes = new Dictionary<string, (int Count, int Root, int RootObject, List<RetentionHop> Hops)>(StringComparer.Ordinal);
        var traced = 0;
        for (var k = 0; k < instances.Count; k += step)
        {
            traced++;
            var (root, rootObject, hops) = Trace(graph, instances[k]);
            var key = Key(graph, root, rootObject, hops);
            shapes[key] = shapes.TryGetValue(key, out var s) ? (s.Count + 1, s.Root, s.RootObject, s.Hops) : (1, root, rootObject, hops);
        }

        var scale = (double)instances.Count / traced;
        return shapes.Values
            .OrderByDescending(s => s.Count)
            .ThenBy(s => s.Hops.Count)
            .Take(max)
            .Select(s => new RetentionPath(
                typeName,
                (int)Math.Round(s.Count * scale),
                instances.Count,
                graph.Roots[s.Root].Kind,
                graph.Roots[s.Root].Name,
                graph.Types[graph.TypeOf[s.RootObject]].Name,
                s.Hops))
            .ToArray();
    }

    private static (int Root, int RootObject, List<RetentionHop> Hops) Trace(HeapGraph graph, int index)
    {
        var reversed = new List<RetentionHop>();
        var current = index;
        while (graph.ParentOf[current] >= 0)
        {
            var hop = new RetentionHop(graph.Edges[graph.EdgeOf[current]], graph.Types[graph.TypeOf[current]].Name);
            if (reversed.Count > 0 && reversed[^1].Field == hop.Field && reversed[^1].TypeName == hop.TypeName)
            {
                reversed[^1] = reversed[^1] with { Repeats = reversed[^1].Repeats + 1 };
            }
            else
            {
                reversed.Add(hop);
            }

            current = graph.ParentOf[current];
        }

        reversed.Reverse();
        return (-1 - graph.ParentOf[current], current, reversed);
    }

    private static string Key(HeapGraph graph, int root, int rootObject, List<RetentionHop> hops) =>
        string.Join(
            '\u0001',
            hops.Select(h => h.Field + '\u0002' + h.TypeName + (h.Repeats > 1 ? "\u0003+" : string.Empty))
                .Prepend(graph.Types[graph.TypeOf[rootObject]].Name)
                .Prepend(graph.Roots[root].Kind + ":" + graph.Roots[root].Name));
}
