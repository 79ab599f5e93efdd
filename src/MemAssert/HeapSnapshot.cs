using System.Diagnostics;
using MemoryAssertions.Retention;
using MemoryAssertions.Snapshots;

namespace MemoryAssertions;

/// <summary>
/// A snapshot of the live managed heap of the current process, the counterpart of Python's
/// <c>tracemalloc.Snapshot</c>: group it (<see cref="Statistics"/>), compare it (<see cref="CompareTo"/>),
/// filter it (<see cref="Filter(string[])"/>) and trace what holds a type (<see cref="RetentionPaths"/>).
/// </summary>
/// <remarks>
/// Only objects reachable from a GC root are counted. A snapshot keeps types, sizes and references, never addresses or
/// contents, and it holds no file: a dump written to take it is deleted before <see cref="Take"/> returns (or moved to
/// the folder you asked to keep it in). Snapshots you hold are never counted by later snapshots.
/// </remarks>
public sealed class HeapSnapshot : IDisposable
{
    private readonly HeapGraph _graph;
    private readonly Func<string, bool>? _include;
    private bool _disposed;

    private HeapSnapshot(HeapGraph graph, Func<string, bool>? include, string? keptFile, string? note, TimeSpan elapsed)
    {
        _graph = graph;
        _include = include;
        KeptFile = keptFile;
        Note = note;
        Elapsed = elapsed;
    }

    /// <summary>Which route produced the snapshot: <c>live</c> (read in place, nothing on disk) or <c>dump</c> (a heap dump, deleted after reading).</summary>
    public string Route => _graph.Route;

    /// <summary>The dump file kept at the caller's request, or <see langword="null"/> when nothing was kept.</summary>
    public string? KeptFile { get; }

    /// <summary>Why a route other than the requested one was used, or <see langword="null"/>.</summary>
    public string? Note { get; }

    /// <summary>How long taking the snapshot took.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Live objects counted (after <see cref="Filter(string[])"/>, if any).</summary>
    public long ObjectCount => Statistics().Sum(s => s.Count);

    /// <summary>Their total bytes.</summary>
    public long TotalBytes => Statistics().Sum(s => s.Bytes);

    internal HeapGraph Graph => _graph;

    /// <summary>
    /// Takes a snapshot of the current process's live heap. Run a full GC first if you want only what is retained:
    /// <c>GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();</c>.
    /// </summary>
    /// <param name="route">How to take it (default <see cref="SnapshotRoute.Auto"/>: the live route where supported, else the dump route).</param>
    /// <param name="keepIn">A folder to keep the dump file in (dump route only); default: keep nothing.</param>
    /// <exception cref="SnapshotUnavailableException">Snapshots cannot be taken here; the message says why.</exception>
    public static HeapSnapshot Take(SnapshotRoute route = SnapshotRoute.Auto, string? keepIn = null)
    {
        var stopwatch = Stopwatch.StartNew();
        var graph = SnapshotRoutes.Capture(route, keepIn, out var kept, out var note);
        return new HeapSnapshot(graph, null, kept, note, stopwatch.Elapsed);
    }

    internal static HeapSnapshot FromGraph(HeapGraph graph, string? keptFile, string? note, TimeSpan elapsed) =>
        new(graph, null, keptFile, note, elapsed);

    /// <summary>Live objects grouped by type, namespace or assembly, largest total bytes first.</summary>
    public IReadOnlyList<TypeStatistic> Statistics(GroupBy groupBy = GroupBy.Type)
    {
        ThrowIfDisposed();
        return Group(groupBy)
            .Select(kv => new TypeStatistic(kv.Key, kv.Value.Count, kv.Value.Bytes))
            .OrderByDescending(s => s.Bytes)
            .ThenBy(s => s.Key, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// What changed since <paramref name="earlier"/>, grouped: the groups whose count or bytes differ, largest
    /// growth in bytes first (like tracemalloc's <c>compare_to</c>).
    /// </summary>
    public IReadOnlyList<TypeDelta> CompareTo(HeapSnapshot earlier, GroupBy groupBy = GroupBy.Type)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        ThrowIfDisposed();
        earlier.ThrowIfDisposed();
        var now = Group(groupBy);
        var before = earlier.Group(groupBy);
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

    /// <summary>
    /// A view of this snapshot without the groups whose key matches any of <paramref name="ignorePatterns"/>
    /// (<c>*</c> any run of characters, <c>?</c> one character), like tracemalloc's exclusive filters.
    /// The view shares this snapshot's data.
    /// </summary>
    public HeapSnapshot Filter(params string[] ignorePatterns)
    {
        ArgumentNullException.ThrowIfNull(ignorePatterns);
        var matcher = new TypePatterns(ignorePatterns);
        return Filter(name => !matcher.IsMatch(name));
    }

    /// <summary>A view of this snapshot keeping only the types for which <paramref name="include"/> returns true.</summary>
    public HeapSnapshot Filter(Func<string, bool> include)
    {
        ArgumentNullException.ThrowIfNull(include);
        ThrowIfDisposed();
        var previous = _include;
        Func<string, bool> combined = previous is null ? include : name => previous(name) && include(name);
        return new HeapSnapshot(_graph, combined, KeptFile, Note, Elapsed);
    }

    /// <summary>
    /// How instances of <paramref name="typeName"/> are held: the GC root and the references from it, grouped by the
    /// shape of the path, the most shared first.
    /// </summary>
    /// <param name="typeName">A full type name as <see cref="Statistics"/> prints it, e.g. <c>System.Int64[]</c>.</param>
    /// <param name="max">How many distinct paths to return at most.</param>
    public IReadOnlyList<RetentionPath> RetentionPaths(string typeName, int max = 3)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        ThrowIfDisposed();
        return RetentionFinder.Find(_graph, typeName, max);
    }

    /// <summary>Releases the snapshot's data. The snapshot holds no file; a kept dump stays where you asked for it.</summary>
    public void Dispose() => _disposed = true;

    private Dictionary<string, (long Count, long Bytes)> Group(GroupBy groupBy)
    {
        var keys = new string?[_graph.Types.Count];
        for (var t = 0; t < keys.Length; t++)
        {
            var type = _graph.Types[t];
            keys[t] = _include is null || _include(type.Name) ? TypeNames.KeyOf(type, groupBy) : null;
        }

        var counts = new long[keys.Length];
        var bytes = new long[keys.Length];
        for (var i = 0; i < _graph.Count; i++)
        {
            var t = _graph.TypeOf[i];
            counts[t]++;
            bytes[t] += _graph.SizeOf[i];
        }

        var groups = new Dictionary<string, (long Count, long Bytes)>(StringComparer.Ordinal);
        for (var t = 0; t < keys.Length; t++)
        {
            if (keys[t] is not { } key || counts[t] == 0)
            {
                continue;
            }

            groups.TryGetValue(key, out var g);
            groups[key] = (g.Count + counts[t], g.Bytes + bytes[t]);
        }

        return groups;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
