using MemoryAssertions.Snapshots;

namespace MemoryAssertions.Tests.Fakes;

/// <summary>
/// A made-up heap for tests of the run logic: roots holding trees of objects that a test's delegate adds to. A check
/// run against <see cref="Environment"/> reads its live bytes (the sum of its objects' sizes) and takes its snapshots
/// from it, so the whole check, report text included, is exact and independent of the test host.
/// </summary>
internal sealed class FakeHeap
{
    private readonly List<(HeapRoot Root, Node Node)> _roots = [];

    /// <summary>Bytes the process holds besides the made-up objects.</summary>
    public long Baseline { get; set; } = 2_000_000;

    /// <summary>Bytes other threads hold at the moment (counted in live bytes, not in snapshots).</summary>
    public long Elsewhere { get; set; }

    /// <summary>Called before each snapshot is taken: lets a test change the heap between snapshots.</summary>
    public Action<int>? BeforeSnapshot { get; set; }

    public int SnapshotsTaken { get; private set; }

    public List<SnapshotRoute> Routes { get; } = [];

    /// <summary>The thread pool's size as the check reads it (4 unless a test changes it).</summary>
    public int Threads { get; set; } = 4;

    /// <summary>The route an Auto check tries first.</summary>
    public SnapshotRoute Preferred { get; set; } = SnapshotRoute.Live;

    /// <summary>Why an Auto check does not try the live route first, as the process would say (null: no reason to report).</summary>
    public string? LiveNotTaken { get; set; }

    /// <summary>Routes on which snapshots fail, with the exception to throw.</summary>
    public Dictionary<SnapshotRoute, Func<SnapshotUnavailableException>> Unavailable { get; } = [];

    public Node Static(string qualifiedField, string type, long size = 32, string assembly = "MyApp") =>
        Root(RootNames.StaticField(qualifiedField), type, size, assembly);

    public Node Root(HeapRoot root, string type, long size = 32, string assembly = "MyApp")
    {
        var node = new Node(type, size, assembly);
        _roots.Add((root, node));
        return node;
    }

    public long LiveBytes => Baseline + Elsewhere + _roots.Sum(r => r.Node.TotalSize);

    public CheckEnvironment Environment => new(
        () => LiveBytes,
        (route, _) => Take(route),
        () => Threads,
        _ => Preferred,
        _ => LiveNotTaken);

    public LeakReport Measure(Action action, LeakOptions? options = null, string expression = "() => handler.Handle(request)") =>
        new LeakRun(options ?? LeakOptions.Default, expression, Environment).RunSync(action, CancellationToken.None);

    private HeapSnapshot Take(SnapshotRoute route)
    {
        BeforeSnapshot?.Invoke(SnapshotsTaken);
        if (Unavailable.TryGetValue(route, out var fail))
        {
            throw fail();
        }

        SnapshotsTaken++;
        Routes.Add(route);
        return HeapSnapshot.FromGraph(ToGraph(route));
    }

    /// <summary>The heap as a breadth-first graph, as a walk from the roots in their order would find it.</summary>
    public HeapGraph ToGraph(SnapshotRoute route)
    {
        var types = new List<HeapTypeInfo>();
        var typeIds = new Dictionary<(string, string), int>();
        var edges = new List<string>();
        var edgeIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var roots = new List<HeapRoot>();
        var typeOf = new List<int>();
        var sizeOf = new List<long>();
        var parentOf = new List<int>();
        var edgeOf = new List<int>();
        var queue = new Queue<(Node Node, int Parent, int Edge)>();
        foreach (var (root, node) in _roots)
        {
            // As the real routes: the live route sees no thread stacks.
            if (root.Kind == RootKind.StackLocal && route == SnapshotRoute.Live)
            {
                continue;
            }

            roots.Add(root);
            queue.Enqueue((node, -roots.Count, -1));
        }

        while (queue.TryDequeue(out var item))
        {
            var index = typeOf.Count;
            if (!typeIds.TryGetValue((item.Node.Type, item.Node.Assembly), out var t))
            {
                typeIds[(item.Node.Type, item.Node.Assembly)] = t = types.Count;
                types.Add(new HeapTypeInfo(item.Node.Type, item.Node.Assembly, item.Node.Type.EndsWith("[]", StringComparison.Ordinal) ? 8 : 0));
            }

            typeOf.Add(t);
            sizeOf.Add(item.Node.Size);
            parentOf.Add(item.Parent);
            edgeOf.Add(item.Edge);
            foreach (var (field, child) in item.Node.Children)
            {
                if (!edgeIds.TryGetValue(field, out var e))
                {
                    edgeIds[field] = e = edges.Count;
                    edges.Add(field);
                }

                queue.Enqueue((child, index, e));
            }
        }

        return new HeapGraph(route, types, edges, roots, [.. typeOf], [.. sizeOf], [.. parentOf], [.. edgeOf], typeOf.Count);
    }

    internal sealed class Node(string type, long size, string assembly)
    {
        public string Type { get; } = type;

        public long Size { get; set; } = size;

        public string Assembly { get; } = assembly;

        public List<(string Field, Node Child)> Children { get; } = [];

        public long TotalSize => Size + Children.Sum(c => c.Child.TotalSize);

        public Node Add(string field, string type, long size = 32, string assembly = "MyApp")
        {
            var child = new Node(type, size, assembly);
            Children.Add((field, child));
            return child;
        }

        public void Clear() => Children.Clear();
    }
}
