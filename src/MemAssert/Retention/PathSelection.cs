namespace MemoryAssertions.Retention;

/// <summary>
/// Picks what a leak report shows: one retention path per growing type, without the paths that another shown path
/// already contains (the path to a leaked <c>CacheEntry</c> is part of the path to the <c>int[]</c> it owns), and the
/// growing types ordered outermost first, so the headline names the object the code leaks rather than its parts.
/// </summary>
internal static class PathSelection
{
    /// <summary>Growing types traced at most (the largest by bytes).</summary>
    private const int MaxTraced = 10;

    public static (IReadOnlyList<RetentionPath> Paths, IReadOnlyList<TypeDelta> Growing) Select(
        HeapSnapshot last, IReadOnlyList<TypeDelta> growing, int maxPaths)
    {
        var traced = growing.OrderByDescending(g => g.BytesDelta).Take(MaxTraced)
            .SelectMany(g => last.RetentionPaths(g.Key, 1))
            .ToList();
        var depth = traced.GroupBy(p => p.TypeName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Min(p => p.Hops.Sum(h => h.Repeats)), StringComparer.Ordinal);
        var ordered = growing
            .OrderBy(g => depth.TryGetValue(g.Key, out var d) ? d : int.MaxValue)
            .ThenByDescending(g => g.BytesDelta)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToArray();
        var shown = traced
            .Where(p => !traced.Any(q => !ReferenceEquals(p, q) && Contains(q, p)))
            .OrderByDescending(p => p.Instances)
            .ThenBy(p => p.Hops.Count)
            .Take(maxPaths)
            .ToArray();
        return (shown, ordered);
    }

    /// <summary>True when <paramref name="longer"/> runs through the whole of <paramref name="shorter"/> and beyond.</summary>
    internal static bool Contains(RetentionPath longer, RetentionPath shorter)
    {
        if (longer.Hops.Count <= shorter.Hops.Count
            || longer.RootKind != shorter.RootKind
            || !string.Equals(longer.RootName, shorter.RootName, StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = 0; i < shorter.Hops.Count; i++)
        {
            var a = shorter.Hops[i];
            var b = longer.Hops[i];
            if (!string.Equals(a.Field, b.Field, StringComparison.Ordinal) || !string.Equals(a.TypeName, b.TypeName, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
