namespace MemoryAssertions;

/// <summary>One group of a snapshot's live objects (a type, namespace or assembly): how many, and how many bytes.</summary>
/// <param name="Key">The type name, namespace or assembly name, following the <see cref="GroupBy"/> used.</param>
/// <param name="Count">Live objects in the group.</param>
/// <param name="Bytes">Their total size in bytes (shallow size: each object's own bytes).</param>
public sealed record TypeStatistic(string Key, long Count, long Bytes);

/// <summary>How one group changed between two snapshots, like tracemalloc's <c>StatisticDiff</c>.</summary>
/// <param name="Key">The type name, namespace or assembly name.</param>
/// <param name="Count">Live objects in the later snapshot.</param>
/// <param name="Bytes">Their bytes in the later snapshot.</param>
/// <param name="CountDelta">Later count minus earlier count.</param>
/// <param name="BytesDelta">Later bytes minus earlier bytes.</param>
public sealed record TypeDelta(string Key, long Count, long Bytes, long CountDelta, long BytesDelta);

/// <summary>What kind of GC root holds a retention path.</summary>
public enum RootKind
{
    /// <summary>A static field: <c>static field NS.Type.Field</c>.</summary>
    StaticField,

    /// <summary>A thread-static field: <c>thread-static field NS.Type.Field (thread 7)</c>.</summary>
    ThreadStaticField,

    /// <summary>A local on a thread's stack: <c>local on the stack of thread 7</c> (seen on the dump route only).</summary>
    StackLocal,

    /// <summary>
    /// A GC handle: <c>GC handle (strong)</c> or <c>GC handle (pinned)</c>. (A dependent handle is no root: the object it
    /// keeps alive is a step <c>(via GC handle (dependent))</c> from the handle's primary object.)
    /// </summary>
    GCHandle,

    /// <summary>The finalizer queue: objects waiting for their finalizer to run.</summary>
    FinalizerQueue,

    /// <summary>Any other root.</summary>
    Other,
}

/// <summary>One step of a retention path: the reference followed and the type it leads to.</summary>
/// <param name="Field">The field followed (<c>_items</c>), <c>[i]</c> for an array element, or <c>[i].value</c> for a field of an array element.</param>
/// <param name="TypeName">The type of the object reached.</param>
/// <param name="Repeats">How many times this step repeats in a row (e.g. a linked list's <c>_next</c>); 1 for a single step.</param>
public sealed record RetentionHop(string Field, string TypeName, int Repeats = 1);

/// <summary>
/// A retention path group: how instances of a type are held, from the GC root through each reference to the instance.
/// Many instances held the same way share one path; <see cref="Instances"/> says how many.
/// </summary>
/// <param name="TypeName">The type whose instances are held.</param>
/// <param name="Instances">Live instances that share this path's shape.</param>
/// <param name="TotalInstances">All live instances of the type in the snapshot, however they are held.</param>
/// <param name="RootKind">What kind of root holds them.</param>
/// <param name="RootName">The root, named as everywhere in MemAssert, e.g. <c>static field MyApp.Holders.Cache</c>.</param>
/// <param name="RootTypeName">The type of the object the root refers to.</param>
/// <param name="Hops">The references from that object to the instance, in order; empty when the root holds the instance itself.</param>
public sealed record RetentionPath(
    string TypeName,
    int Instances,
    int TotalInstances,
    RootKind RootKind,
    string RootName,
    string RootTypeName,
    IReadOnlyList<RetentionHop> Hops)
{
    /// <summary>In a leak report: instances of this path added per call; 0 elsewhere.</summary>
    public double NewPerCall { get; init; }

    /// <summary>
    /// In a leak report, for a leak that spreads over several paths from one root (a collection that puts items in one
    /// of several internal buckets): how many other paths from the same root lead to the leaked type; the path shown is
    /// the one that holds most of them, and <see cref="Instances"/> counts them all. 0 for a leak along one path.
    /// </summary>
    public int OtherPaths { get; init; }
}

/// <summary>How a group that grew with the calls grew when the leak check followed it for more calls.</summary>
/// <param name="TypeName">The type of the group's objects.</param>
/// <param name="RootName">The root that holds them.</param>
/// <param name="ByCount">Whether it was judged by instances (false: by bytes, for an object that grows in place).</param>
/// <param name="Grew">Instances (the larger gain of its holder group's and its type's) or, for growth in place, bytes it gained over the calls followed.</param>
/// <param name="Predicted">What its rate in the heap confirmation predicted for those calls.</param>
/// <param name="Stopped">Whether it grew by less than half the prediction: growth that stops at a bound, not a leak.</param>
public sealed record FollowedGrowth(string TypeName, string RootName, bool ByCount, long Grew, double Predicted, bool Stopped);

/// <summary>How one retention path group grew with the calls in a leak check's heap confirmation.</summary>
/// <param name="Path">The group: its path, and its instances in the last snapshot.</param>
/// <param name="CountDelta">Instances it gained over the call intervals.</param>
/// <param name="BytesDelta">Bytes it gained over the call intervals (an object that grew in place adds bytes, not instances).</param>
public sealed record PathGroupGrowth(RetentionPath Path, long CountDelta, long BytesDelta)
{
    /// <summary>The type of the group's objects.</summary>
    public string TypeName => Path.TypeName;
}

/// <summary>
/// One leak: the object the code leaks, with the growing groups it owns (found through it) and those it is held through
/// (growing groups between the root and it, such as the delegate of an event subscription).
/// </summary>
/// <param name="Leaked">The leaked object's group: the outermost growing group whose type is not the runtime's (else the outermost).</param>
/// <param name="Owned">Growing groups held through the leaked object, largest first.</param>
/// <param name="HeldThrough">Growing groups that hold the leaked object, from the root down.</param>
public sealed record LeakedObject(PathGroupGrowth Leaked, IReadOnlyList<PathGroupGrowth> Owned, IReadOnlyList<PathGroupGrowth> HeldThrough)
{
    /// <summary>The leaked object's type.</summary>
    public string TypeName => Leaked.TypeName;

    /// <summary>Bytes the leak gained over the call intervals: the object, what it owns and what holds it.</summary>
    public long BytesDelta => Leaked.BytesDelta + Owned.Sum(g => g.BytesDelta) + HeldThrough.Sum(g => g.BytesDelta);
}

/// <summary>A type seen in a <see cref="HeapSnapshot"/>, for typed queries.</summary>
/// <param name="Name">Its full name as snapshots print it, e.g. <c>System.Collections.Generic.List&lt;System.Int32&gt;</c>.</param>
/// <param name="Namespace">Its namespace.</param>
/// <param name="Assembly">The simple name of the assembly that defines it.</param>
public sealed record HeapType(string Name, string Namespace, string Assembly)
{
    /// <summary>The runtime type, where it is loaded in this process and not a generic instantiation; otherwise null.</summary>
    public Type? RuntimeType => Snapshots.RuntimeTypes.Find(Name);

    /// <summary>Whether the type is, derives from or implements <typeparamref name="T"/> (false when <see cref="RuntimeType"/> is unknown).</summary>
    public bool Is<T>() => RuntimeType is { } type && typeof(T).IsAssignableFrom(type);
}
