namespace MemoryAssertions.Snapshots;

/// <summary>
/// What a snapshot keeps of the heap after the ClrMD target is gone: every object reachable from a GC root,
/// in breadth-first order, as its type, size and the first reference that reached it. No addresses and no contents.
/// </summary>
/// <remarks>
/// Objects of this type (and of <see cref="HeapSnapshot"/>) are a barrier for the walk: a later snapshot never counts
/// what an earlier one keeps, so holding snapshots does not look like growth.
/// </remarks>
internal sealed class HeapGraph
{
    public HeapGraph(
        SnapshotRoute route,
        IReadOnlyList<HeapTypeInfo> types,
        IReadOnlyList<string> edges,
        IReadOnlyList<HeapRoot> roots,
        int[] typeOf,
        long[] sizeOf,
        int[] parentOf,
        int[] edgeOf,
        int count)
    {
        Route = route;
        Types = types;
        Edges = edges;
        Roots = roots;
        TypeOf = typeOf;
        SizeOf = sizeOf;
        ParentOf = parentOf;
        EdgeOf = edgeOf;
        Count = count;
    }

    /// <summary>Which route produced the snapshot (<see cref="SnapshotRoute.Live"/> or <see cref="SnapshotRoute.Dump"/>).</summary>
    public SnapshotRoute Route { get; }

    public IReadOnlyList<HeapTypeInfo> Types { get; }

    /// <summary>Names of references, e.g. <c>_items</c>, <c>[i]</c>, <c>[i].value</c>.</summary>
    public IReadOnlyList<string> Edges { get; }

    public IReadOnlyList<HeapRoot> Roots { get; }

    /// <summary>Type index of each object (the arrays may be longer than <see cref="Count"/>).</summary>
    public int[] TypeOf { get; }

    public long[] SizeOf { get; }

    /// <summary>Index of the object that first reached each object; for a root object, <c>-1 - rootIndex</c>.</summary>
    public int[] ParentOf { get; }

    /// <summary>Edge-name index of the reference from the parent; -1 for root objects.</summary>
    public int[] EdgeOf { get; }

    public int Count { get; }

    /// <summary>The index of the object a walk was asked to find (<see cref="HeapWalker.FindTarget"/>), or -1 when it was not asked or the object was not reachable.</summary>
    public int Target { get; set; } = -1;

    /// <summary>Each object's GC generation (3 for the large object heap, 4 for the pinned one), when the walk recorded them; else null.</summary>
    public byte[]? Generations { get; set; }
}

/// <summary>A type seen on the heap.</summary>
/// <param name="Name">The full type name.</param>
/// <param name="Assembly">The simple name of the assembly that defines it.</param>
/// <param name="ElementSize">For an array type, the bytes of one element; 0 otherwise.</param>
internal sealed record HeapTypeInfo(string Name, string Assembly, int ElementSize = 0)
{
    public string Namespace => TypeNames.NamespaceOf(Name);
}

/// <summary>A GC root: its kind and a printable name (never a value).</summary>
internal sealed record HeapRoot(RootKind Kind, string Name);
