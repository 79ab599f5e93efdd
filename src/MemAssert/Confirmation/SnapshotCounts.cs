using MemoryAssertions.Snapshots;

namespace MemoryAssertions.Confirmation;

/// <summary>
/// What a confirmation keeps of one snapshot: the objects and bytes of each path group, of each diff key (type,
/// namespace or assembly) and every type's instance count. The graph itself can be let go once these are counted.
/// </summary>
internal sealed class SnapshotCounts
{
    private readonly long[] _groupCount;
    private readonly long[] _groupBytes;

    private SnapshotCounts(long[] groupCount, long[] groupBytes, Dictionary<string, (long Count, long Bytes)> byKey, Dictionary<string, long> instances)
    {
        _groupCount = groupCount;
        _groupBytes = groupBytes;
        ByKey = byKey;
        Instances = instances;
    }

    /// <summary>Objects and bytes by diff key, without ignored types.</summary>
    public Dictionary<string, (long Count, long Bytes)> ByKey { get; }

    /// <summary>Live instances by type name, all of them (ignored types included).</summary>
    public Dictionary<string, long> Instances { get; }

    public long Count(int group) => group < _groupCount.Length ? _groupCount[group] : 0;

    public long Bytes(int group) => group < _groupBytes.Length ? _groupBytes[group] : 0;

    /// <summary>Counts <paramref name="graph"/>'s objects by path group, leaving out types whose diff key matches <paramref name="ignore"/>.</summary>
    public static SnapshotCounts Of(HeapGraph graph, PathShapes shapes, GroupBy groupBy, TypePatterns ignore)
    {
        var shapeOf = shapes.Assign(graph);
        var ignored = new bool[graph.Types.Count];
        var keys = new string[graph.Types.Count];
        for (var t = 0; t < keys.Length; t++)
        {
            keys[t] = TypeNames.KeyOf(graph.Types[t], groupBy);
            ignored[t] = ignore.IsMatch(keys[t]);
        }

        // Each object counts in its path's group and in its holder group (root and type, any path).
        var holderOf = new int[shapes.Count];
        for (var s = 0; s < holderOf.Length; s++) // holder groups interned here come after: the counts are sized after
        {
            holderOf[s] = shapes.HolderOf(s);
        }

        var groupCount = new long[shapes.Count];
        var groupBytes = new long[shapes.Count];
        var typeCount = new long[graph.Types.Count];
        var typeBytes = new long[graph.Types.Count];
        for (var i = 0; i < graph.Count; i++)
        {
            var t = graph.TypeOf[i];
            typeCount[t]++;
            typeBytes[t] += graph.SizeOf[i];
            if (!ignored[t])
            {
                var shape = shapeOf[i];
                groupCount[shape]++;
                groupBytes[shape] += graph.SizeOf[i];
                if (holderOf[shape] >= 0)
                {
                    groupCount[holderOf[shape]]++;
                    groupBytes[holderOf[shape]] += graph.SizeOf[i];
                }
            }
        }

        var byKey = new Dictionary<string, (long Count, long Bytes)>(StringComparer.Ordinal);
        var instances = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var t = 0; t < keys.Length; t++)
        {
            if (typeCount[t] == 0)
            {
                continue;
            }

            instances[graph.Types[t].Name] = instances.GetValueOrDefault(graph.Types[t].Name) + typeCount[t];
            if (!ignored[t])
            {
                var g = byKey.GetValueOrDefault(keys[t]);
                byKey[keys[t]] = (g.Count + typeCount[t], g.Bytes + typeBytes[t]);
            }
        }

        return new SnapshotCounts(groupCount, groupBytes, byKey, instances);
    }

    /// <summary>The diff keys whose count or bytes changed from <paramref name="earlier"/> to this snapshot, largest growth in bytes first.</summary>
    public TypeDelta[] DiffFrom(SnapshotCounts earlier) => Diff(ByKey, earlier.ByKey);

    internal static TypeDelta[] Diff(Dictionary<string, (long Count, long Bytes)> now, Dictionary<string, (long Count, long Bytes)> before)
    {
        var deltas = new List<TypeDelta>();
        foreach (var key in now.Keys.Union(before.Keys))
        {
            now.TryGetValue(key, out var n);
            before.TryGetValue(key, out var b);
            if (n.Count != b.Count || n.Bytes != b.Bytes)
            {
                deltas.Add(new TypeDelta(key, n.Count, n.Bytes, n.Count - b.Count, n.Bytes - b.Bytes));
            }
        }

        return deltas
            .OrderByDescending(d => d.BytesDelta)
            .ThenByDescending(d => d.CountDelta)
            .ThenBy(d => d.Key, StringComparer.Ordinal)
            .ToArray();
    }
}
