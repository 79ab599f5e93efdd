using System.Diagnostics;
using MemoryAssertions.Confirmation;
using MemoryAssertions.Snapshots;

namespace MemoryAssertions;

/// <summary>
/// A snapshot of the live managed heap of the current process, the counterpart of Python's
/// <c>tracemalloc.Snapshot</c>: group it (<see cref="GetStatistics"/>), compare it (<see cref="Diff"/>), filter it
/// (<see cref="Exclude"/>, <see cref="Where"/>) and trace what holds a type (<see cref="FindRetentionPaths"/>).
/// </summary>
/// <remarks>
/// Only objects reachable from a GC root are counted, and never MemAssert's own objects or those of the libraries it
/// uses. A snapshot keeps types, sizes and references, never addresses or contents. It holds no file: a dump written to
/// take it is deleted before <see cref="Take"/> returns (or moved to the folder you asked to keep it in). Snapshots you
/// hold are never counted by later snapshots.
/// </remarks>
public sealed class HeapSnapshot : IDisposable
{
    private readonly HeapGraph _graph;
    private readonly Func<string, bool>? _include;
    private bool _disposed;

    private HeapSnapshot(HeapGraph graph, Func<string, bool>? include, string? keptFile, string? note, TimeSpan elapsed, string? notKeptReason = null)
    {
        _graph = graph;
        _include = include;
        KeptFile = keptFile;
        NotKeptReason = notKeptReason;
        Note = note;
        Elapsed = elapsed;
    }

    /// <summary>Which route produced the snapshot: <see cref="SnapshotRoute.Live"/> (read in place, nothing on disk) or <see cref="SnapshotRoute.Dump"/> (a heap dump, deleted after reading).</summary>
    public SnapshotRoute Route => _graph.Route;

    /// <summary>The dump file kept at the caller's request, or <see langword="null"/> when nothing was kept.</summary>
    public string? KeptFile { get; }

    /// <summary>
    /// Why the snapshot was not taken as asked, or <see langword="null"/>: the route used instead of the requested one, or
    /// why the dump could not be kept in the folder asked for (it was deleted after reading, like any other).
    /// </summary>
    public string? Note { get; }

    /// <summary>Why the dump could not be kept where the caller asked, or <see langword="null"/>.</summary>
    internal string? NotKeptReason { get; }

    /// <summary>How long taking the snapshot took.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Live objects counted (after <see cref="Exclude"/> or <see cref="Where"/>, if any).</summary>
    public long ObjectCount => GetStatistics().Sum(s => s.Count);

    /// <summary>Their total bytes.</summary>
    public long TotalBytes => GetStatistics().Sum(s => s.Bytes);

    internal HeapGraph Graph => _graph;

    /// <summary>
    /// Takes a snapshot of the current process's live heap. Run a full GC first if you want only what is retained:
    /// <c>GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();</c>.
    /// </summary>
    /// <param name="route">How to take it (default <see cref="SnapshotRoute.Auto"/>: the live route where supported, else the dump route).</param>
    /// <param name="keepIn">A folder to keep the dump file in (dump route only); default: keep nothing. If it cannot take the file, the dump is deleted and <see cref="Note"/> says why.</param>
    /// <exception cref="SnapshotUnavailableException">Snapshots cannot be taken here; the message says why.</exception>
    public static HeapSnapshot Take(SnapshotRoute route = SnapshotRoute.Auto, string? keepIn = null)
    {
        // A snapshot for the caller's queries records each object's generation; a check's own snapshots do not need it.
        // Under the process-wide gate: a snapshot in the middle of another check's readings would disturb them.
        return CheckGate.Run(() =>
        {
            var previous = HeapWalker.RecordGenerations;
            HeapWalker.RecordGenerations = true;
            try
            {
                return TakeCore(route, keepIn);
            }
            finally
            {
                HeapWalker.RecordGenerations = previous;
            }
        });
    }

    /// <summary>A snapshot as a check takes it: no generations recorded.</summary>
    internal static HeapSnapshot TakeCore(SnapshotRoute route, string? keepIn)
    {
        var stopwatch = Stopwatch.StartNew();
        var captured = SnapshotRoutes.Capture(route, keepIn, out var note);
        if (captured.NotKeptReason is { } reason)
        {
            note = (note is null ? string.Empty : note + "; ") + Reporting.ReportBuilder.NotKept(reason);
        }

        return new HeapSnapshot(captured.Graph, null, captured.KeptFile, note, stopwatch.Elapsed, captured.NotKeptReason);
    }

    internal static HeapSnapshot FromGraph(HeapGraph graph, string? keptFile = null, string? note = null, TimeSpan elapsed = default) =>
        new(graph, null, keptFile, note, elapsed);

    /// <summary>Live objects grouped by type, namespace or assembly, largest total bytes first.</summary>
    public IReadOnlyList<TypeStatistic> GetStatistics(GroupBy groupBy = GroupBy.Type)
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
    /// <exception cref="ArgumentNullException"><paramref name="earlier"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">Either snapshot was disposed.</exception>
    public IReadOnlyList<TypeDelta> Diff(HeapSnapshot earlier, GroupBy groupBy = GroupBy.Type)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        ThrowIfDisposed();
        earlier.ThrowIfDisposed();
        return SnapshotCounts.Diff(Group(groupBy), earlier.Group(groupBy));
    }

    /// <summary>
    /// A view of this snapshot without the types whose full name matches any of <paramref name="patterns"/> (<c>*</c>
    /// any run of characters, <c>?</c> one character), like tracemalloc's exclusive filters. The view shares this
    /// snapshot's data.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="patterns"/> is null.</exception>
    public HeapSnapshot Exclude(params string[] patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        var matcher = new TypePatterns(patterns);
        return Where(name => !matcher.IsMatch(name));
    }

    /// <summary>A view of this snapshot keeping only the types for which <paramref name="include"/> returns true (given the full type name).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="include"/> is null.</exception>
    public HeapSnapshot Where(Func<string, bool> include)
    {
        ArgumentNullException.ThrowIfNull(include);
        ThrowIfDisposed();
        var previous = _include;
        Func<string, bool> combined = previous is null ? include : name => previous(name) && include(name);
        return new HeapSnapshot(_graph, combined, KeptFile, Note, Elapsed, NotKeptReason);
    }

    /// <summary>The types of the objects counted, as typed-query subjects: name, namespace, assembly and, where loaded, the runtime type.</summary>
    public IReadOnlyList<HeapType> Types
    {
        get
        {
            ThrowIfDisposed();
            return _graph.Types.Where(t => _include is null || _include(t.Name)).Select(t => new HeapType(t.Name, t.Namespace, t.Assembly)).ToArray();
        }
    }

    /// <summary>Count and bytes of the live instances of <typeparamref name="T"/>, derived types included (those loaded in this process).</summary>
    /// <exception cref="ObjectDisposedException">The snapshot was disposed.</exception>
    public TypeStatistic InstancesOf<T>() => InstancesOf(typeof(T));

    /// <summary>Count and bytes of the live instances of <paramref name="type"/>, derived types (and, for an interface, implementing types) included.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="type"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The snapshot was disposed.</exception>
    public TypeStatistic InstancesOf(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var names = RuntimeTypes.NamesAssignableTo(type);
        var (count, bytes) = Tally(t => names.Contains(t.Name));
        return new TypeStatistic(TypeNames.Of(type), count, bytes);
    }

    /// <summary>
    /// Count and bytes of the live instances of <typeparamref name="T"/> (derived types included) in GC generation
    /// <paramref name="generation"/> (0, 1, 2; 3 for the large object heap, 4 for the pinned object heap), as of the
    /// snapshot: the live route collects once before its walk, which promotes what survives it out of generation 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="generation"/> is not 0 to 4.</exception>
    /// <exception cref="InvalidOperationException">The snapshot recorded no generations (taken by a check, not by <see cref="Take"/>).</exception>
    /// <exception cref="ObjectDisposedException">The snapshot was disposed.</exception>
    public TypeStatistic InstancesOf<T>(int generation)
    {
        var names = RuntimeTypes.NamesAssignableTo(typeof(T));
        return InGeneration(TypeNames.Of(typeof(T)), t => names.Contains(t.Name), generation);
    }

    /// <summary>Count and bytes of the live instances of the types <paramref name="predicate"/> accepts, in GC generation <paramref name="generation"/> (as <see cref="InstancesOf{T}(int)"/>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="generation"/> is not 0 to 4.</exception>
    /// <exception cref="InvalidOperationException">The snapshot recorded no generations (taken by a check, not by <see cref="Take"/>).</exception>
    /// <exception cref="ObjectDisposedException">The snapshot was disposed.</exception>
    public TypeStatistic InstancesOf(Func<HeapType, bool> predicate, int generation)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return InGeneration("(matching types)", t => predicate(new HeapType(t.Name, t.Namespace, t.Assembly)), generation);
    }

    private TypeStatistic InGeneration(string key, Func<HeapTypeInfo, bool> matches, int generation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(generation);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(generation, 4);
        ThrowIfDisposed();
        var generations = _graph.Generations ?? throw new InvalidOperationException("This snapshot recorded no generations; take one with HeapSnapshot.Take.");
        var matching = Matching(matches);
        long count = 0, bytes = 0;
        for (var i = 0; i < _graph.Count; i++)
        {
            if (matching[_graph.TypeOf[i]] && generations[i] == generation)
            {
                count++;
                bytes += _graph.SizeOf[i];
            }
        }

        return new TypeStatistic(key, count, bytes);
    }

    /// <summary>
    /// What changed since <paramref name="earlier"/> by retention path group (the type and how it is held, as
    /// <see cref="FindRetentionPaths"/> groups it): the groups that gained objects or bytes, most bytes first, like
    /// dotMemory's <c>GetDifference</c> per holder. A group's path is given as it is in this snapshot.
    /// </summary>
    /// <param name="earlier">The snapshot to compare with.</param>
    /// <param name="max">How many groups to return at most.</param>
    /// <exception cref="ArgumentNullException"><paramref name="earlier"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="max"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">Either snapshot was disposed.</exception>
    public IReadOnlyList<PathGroupGrowth> DiffByPath(HeapSnapshot earlier, int max = 10)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        ThrowIfDisposed();
        earlier.ThrowIfDisposed();
        var shapes = new PathShapes();
        var before = earlier.CountByShape(shapes);
        var after = CountByShape(shapes);
        var types = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _graph.Count; i++)
        {
            var name = _graph.Types[_graph.TypeOf[i]].Name;
            types[name] = types.GetValueOrDefault(name) + 1;
        }

        return after
            .Select(kv => (Shape: kv.Key, After: kv.Value, Before: before.GetValueOrDefault(kv.Key)))
            .Where(g => g.After.Count > g.Before.Count || g.After.Bytes > g.Before.Bytes)
            .OrderByDescending(g => g.After.Bytes - g.Before.Bytes)
            .ThenBy(g => g.Shape)
            .Take(max)
            .Select(g => new PathGroupGrowth(
                shapes.ToPath(g.Shape, (int)g.After.Count, types.GetValueOrDefault(shapes[g.Shape].TypeName)),
                g.After.Count - g.Before.Count,
                g.After.Bytes - g.Before.Bytes))
            .ToArray();
    }

    /// <summary>Objects and bytes per path shape (in <paramref name="shapes"/>, shared between snapshots), within this view.</summary>
    private Dictionary<int, (long Count, long Bytes)> CountByShape(PathShapes shapes)
    {
        var shapeOf = shapes.Assign(_graph);
        var included = Matching(_ => true);
        var counts = new Dictionary<int, (long Count, long Bytes)>();
        for (var i = 0; i < _graph.Count; i++)
        {
            if (included[_graph.TypeOf[i]])
            {
                var c = counts.GetValueOrDefault(shapeOf[i]);
                counts[shapeOf[i]] = (c.Count + 1, c.Bytes + _graph.SizeOf[i]);
            }
        }

        return counts;
    }

    /// <summary>
    /// Count and bytes of the live instances of the types <paramref name="predicate"/> accepts, e.g.
    /// <c>t =&gt; t.Namespace == "MyApp.Caching"</c>, <c>t =&gt; t.Is&lt;IDisposable&gt;()</c>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The snapshot was disposed.</exception>
    public TypeStatistic InstancesOf(Func<HeapType, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var (count, bytes) = Tally(t => predicate(new HeapType(t.Name, t.Namespace, t.Assembly)));
        return new TypeStatistic("(matching types)", count, bytes);
    }

    /// <summary>
    /// How instances of <paramref name="typeName"/> are held: their retention path groups (the GC root, then each
    /// reference from it to the instance), the most shared first.
    /// </summary>
    /// <param name="typeName">A full type name as <see cref="GetStatistics"/> prints it, e.g. <c>System.Int64[]</c>.</param>
    /// <param name="max">How many distinct paths to return at most.</param>
    /// <exception cref="ArgumentNullException"><paramref name="typeName"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="max"/> is negative.</exception>
    public IReadOnlyList<RetentionPath> FindRetentionPaths(string typeName, int max = 3)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        ThrowIfDisposed();
        if (max == 0)
        {
            return [];
        }

        return RetentionPathsOf(t => string.Equals(t.Name, typeName, StringComparison.Ordinal), max);
    }

    /// <summary>The retention path of the one object the walk was asked to find (<see cref="HeapGraph.Target"/>), or null.</summary>
    internal RetentionPath? TargetPath()
    {
        ThrowIfDisposed();
        if (_graph.Target < 0)
        {
            return null;
        }

        var shapes = new PathShapes();
        var shapeOf = shapes.Assign(_graph);
        var type = _graph.TypeOf[_graph.Target];
        var total = 0;
        for (var i = 0; i < _graph.Count; i++)
        {
            total += _graph.TypeOf[i] == type ? 1 : 0;
        }

        return shapes.ToPath(shapeOf[_graph.Target], 1, total);
    }

    /// <summary>The retention path groups of the instances of the types <paramref name="matches"/> accepts, the most shared first.</summary>
    internal IReadOnlyList<RetentionPath> RetentionPathsOf(Func<HeapTypeInfo, bool> matches, int max)
    {
        var shapes = new PathShapes();
        var shapeOf = shapes.Assign(_graph);
        var counts = new Dictionary<int, int>();
        var total = 0;
        var matching = Matching(matches);
        for (var i = 0; i < _graph.Count; i++)
        {
            if (matching[_graph.TypeOf[i]])
            {
                total++;
                counts[shapeOf[i]] = counts.GetValueOrDefault(shapeOf[i]) + 1;
            }
        }

        return counts
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => shapes[kv.Key].Depth)
            .ThenBy(kv => kv.Key)
            .Take(max)
            .Select(kv => shapes.ToPath(kv.Key, kv.Value, total))
            .ToArray();
    }

    /// <summary>
    /// Ends the snapshot's use: its methods (and those of views made from it) throw <see cref="ObjectDisposedException"/>
    /// afterwards. It holds no file and no native resource, only managed data, which the GC frees once nothing refers to
    /// the snapshot or its views; a kept dump stays where you asked for it.
    /// </summary>
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

    /// <summary>Count and bytes of the objects whose type <paramref name="matches"/> accepts (within this view).</summary>
    internal (long Count, long Bytes) Tally(Func<HeapTypeInfo, bool> matches)
    {
        ThrowIfDisposed();
        var matching = Matching(matches);
        long count = 0, bytes = 0;
        for (var i = 0; i < _graph.Count; i++)
        {
            if (matching[_graph.TypeOf[i]])
            {
                count++;
                bytes += _graph.SizeOf[i];
            }
        }

        return (count, bytes);
    }

    /// <summary>For each type of the graph: whether it is in this view and <paramref name="matches"/> accepts it.</summary>
    private bool[] Matching(Func<HeapTypeInfo, bool> matches) =>
        _graph.Types.Select(t => (_include is null || _include(t.Name)) && matches(t)).ToArray();

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
