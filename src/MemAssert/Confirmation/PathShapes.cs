using MemoryAssertions.Snapshots;

namespace MemoryAssertions.Confirmation;

/// <summary>
/// The retention path shapes of a check, shared by all its snapshots: a shape is a GC root's description followed by
/// the (field, type) of each reference on an object's shortest path from it, with a run of the same step folded into one
/// repeated step (every node of a linked list shares one shape). An object's path group is its shape; the shape ends in
/// the object's own type.
/// </summary>
/// <remarks>
/// Shapes are interned by value, so the same shape has the same id in every snapshot of the check. Each object's shape
/// follows from its parent's in one pass over the breadth-first graph (a parent always comes before its children).
/// <para>
/// Each shape below a root also belongs to a holder group: its root and its type, whatever the path between
/// (<see cref="HolderOf"/>). A leak into one holder that spreads over several paths at random (a
/// <c>ConcurrentBag</c>'s per-thread queues, a sharded cache) grows no single path steadily, but grows its holder group.
/// </para>
/// </remarks>
internal sealed class PathShapes
{
    /// <summary>The step of a shape that repeats its parent's last step.</summary>
    private const string RepeatStep = "\u0001(repeat)";

    /// <summary>The step of a holder group: any path from its root to its type.</summary>
    private const string AnyPathStep = "\u0001(any path)";

    private readonly Dictionary<(int Parent, string Step, string Type), int> _ids = [];
    private readonly List<Shape> _shapes = [];
    private readonly Dictionary<string, string> _assemblyOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _elementSizeOf = new(StringComparer.Ordinal);
    private readonly List<int> _holderOf = [];
    private readonly Dictionary<int, List<int>> _members = [];

    /// <param name="Parent">The shape one step shorter, or -1 for a root's shape.</param>
    /// <param name="Step">The field followed from the parent's object, or for a root's shape the root's description.</param>
    /// <param name="TypeName">The type of the object the shape ends in.</param>
    /// <param name="Root">The root's shape id (this shape's own for a root's shape).</param>
    /// <param name="RootKind">What kind of root the shape starts at.</param>
    /// <param name="Depth">References followed from the root's object (0 for a root's shape).</param>
    internal readonly record struct Shape(int Parent, string Step, string TypeName, int Root, RootKind RootKind, int Depth)
    {
        public bool Repeats => Step == RepeatStep;

        /// <summary>Whether this is a holder group (a root and a type, any path between) rather than one path.</summary>
        public bool IsHolderGroup => Step == AnyPathStep;
    }

    public int Count => _shapes.Count;

    public Shape this[int id] => _shapes[id];

    /// <summary>The simple name of the assembly that defines <paramref name="typeName"/>, as seen in the snapshots.</summary>
    public string AssemblyOf(string typeName) => _assemblyOf.GetValueOrDefault(typeName, "(unknown)");

    /// <summary>For an array type seen in the snapshots, the bytes of one element; 0 otherwise.</summary>
    public int ElementSizeOf(string typeName) => _elementSizeOf.GetValueOrDefault(typeName);

    /// <summary>The shape of every object of <paramref name="graph"/>, by index in the graph.</summary>
    public int[] Assign(HeapGraph graph)
    {
        var shapeOf = new int[graph.Count];
        foreach (var type in graph.Types)
        {
            _assemblyOf.TryAdd(type.Name, type.Assembly);
            if (type.ElementSize > 0)
            {
                _elementSizeOf.TryAdd(type.Name, type.ElementSize);
            }
        }

        var rootShapes = new Dictionary<(int Root, int Type), int>();
        var childShapes = new Dictionary<(int Parent, int Edge, int Type), int>();
        (int Parent, int Edge, int Type) lastKey = (-1, -1, -1);
        var lastShape = -1;
        for (var i = 0; i < graph.Count; i++)
        {
            var parent = graph.ParentOf[i];
            var type = graph.TypeOf[i];
            if (parent < 0)
            {
                var root = -1 - parent;
                if (!rootShapes.TryGetValue((root, type), out var id))
                {
                    var r = graph.Roots[root];
                    rootShapes[(root, type)] = id = Intern(-1, r.Name, graph.Types[type].Name, r.Kind);
                }

                shapeOf[i] = id;
                continue;
            }

            // Siblings come one after another in a breadth-first graph: most objects share their predecessor's key.
            var key = (shapeOf[parent], graph.EdgeOf[i], type);
            if (key != lastKey)
            {
                if (!childShapes.TryGetValue(key, out lastShape))
                {
                    childShapes[key] = lastShape = Child(key.Item1, graph.Edges[key.Item2], graph.Types[type].Name);
                }

                lastKey = key;
            }

            shapeOf[i] = lastShape;
        }

        return shapeOf;
    }

    /// <summary>The holder group of a path shape (its root and type, any path between), or -1 for a root's own shape.</summary>
    public int HolderOf(int shape)
    {
        while (_holderOf.Count <= shape)
        {
            _holderOf.Add(-2);
        }

        if (_holderOf[shape] == -2)
        {
            var s = _shapes[shape];
            var holder = s.Parent < 0 || s.IsHolderGroup ? -1 : Intern(s.Root, AnyPathStep, s.TypeName, s.RootKind);
            if (holder >= 0)
            {
                if (!_members.TryGetValue(holder, out var members))
                {
                    _members[holder] = members = [];
                }

                members.Add(shape);
            }

            while (_holderOf.Count <= holder)
            {
                _holderOf.Add(-2);
            }

            _holderOf[shape] = holder;
        }

        return _holderOf[shape];
    }

    /// <summary>The path shapes of a holder group.</summary>
    public IReadOnlyList<int> MembersOf(int holder) => _members.TryGetValue(holder, out var members) ? members : [];

    /// <summary>The shapes from the root's down to <paramref name="shape"/>, root first.</summary>
    public List<int> Chain(int shape)
    {
        var chain = new List<int>();
        for (var s = shape; s >= 0; s = _shapes[s].Parent)
        {
            chain.Add(s);
        }

        chain.Reverse();
        return chain;
    }

    /// <summary>Whether <paramref name="ancestor"/> lies on the path of <paramref name="shape"/> (itself excluded).</summary>
    public bool IsAncestor(int ancestor, int shape)
    {
        for (var s = _shapes[shape].Parent; s >= 0; s = _shapes[s].Parent)
        {
            if (s == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The shape as a retention path of its objects, with the counts given (for a holder group, the path of <paramref name="shape"/>'s member given by the caller).</summary>
    public RetentionPath ToPath(int shape, int instances, int totalInstances, double newPerCall = 0, int otherPaths = 0)
    {
        var chain = Chain(shape);
        var root = _shapes[chain[0]];
        var hops = new List<RetentionHop>();
        foreach (var s in chain.Skip(1))
        {
            if (_shapes[s].Repeats)
            {
                hops[^1] = hops[^1] with { Repeats = hops[^1].Repeats + 1 };
            }
            else
            {
                hops.Add(new RetentionHop(_shapes[s].Step, _shapes[s].TypeName));
            }
        }

        return new RetentionPath(_shapes[shape].TypeName, instances, totalInstances, root.RootKind, root.Step, root.TypeName, hops)
        {
            NewPerCall = newPerCall,
            OtherPaths = otherPaths,
        };
    }

    private int Child(int parent, string step, string type)
    {
        // A step that repeats the parent's last real step folds into one repeated step.
        var p = _shapes[parent];
        var last = p.Repeats ? _shapes[p.Parent] : p;
        if (last.Parent >= 0 && last.Step == step && last.TypeName == type)
        {
            return p.Repeats ? parent : Intern(parent, RepeatStep, type, p.RootKind);
        }

        return Intern(parent, step, type, p.RootKind);
    }

    private int Intern(int parent, string step, string type, RootKind kind)
    {
        if (_ids.TryGetValue((parent, step, type), out var id))
        {
            return id;
        }

        id = _shapes.Count;
        var root = parent < 0 ? id : _shapes[parent].Root;
        var depth = parent < 0 ? 0 : _shapes[parent].Depth + (step == RepeatStep ? 0 : 1);
        if (step == AnyPathStep)
        {
            // Deeper than any of its paths' other groups: what the root holds directly stays outermost.
            depth = int.MaxValue / 2;
        }

        _shapes.Add(new Shape(parent, step, type, root, kind, depth));
        _ids[(parent, step, type)] = id;
        return id;
    }
}
