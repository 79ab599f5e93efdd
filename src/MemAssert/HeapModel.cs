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
    /// <summary>A static field.</summary>
    StaticField,

    /// <summary>A static event (a static field of a delegate type): a handler that was never removed.</summary>
    StaticEvent,

    /// <summary>A thread-static field.</summary>
    ThreadStatic,

    /// <summary>A strong GC handle (e.g. a <c>GCHandle</c>, a timer's or the runtime's own).</summary>
    StrongHandle,

    /// <summary>A pinned GC handle.</summary>
    PinnedHandle,

    /// <summary>A local variable on a thread's stack (only on the dump route).</summary>
    Stack,

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
/// How instances of a type are held: the GC root, then each reference from it to the instance. Many instances held
/// the same way share one path; <see cref="Instances"/> says how many.
/// </summary>
/// <param name="TypeName">The type whose instances are held.</param>
/// <param name="Instances">Instances that share this path's shape.</param>
/// <param name="TotalInstances">All live instances of the type in the snapshot.</param>
/// <param name="RootKind">What kind of root holds them.</param>
/// <param name="RootName">The root's name, e.g. <c>MyApp.Holders.Cache</c> for a static field.</param>
/// <param name="RootTypeName">The type of the object the root refers to.</param>
/// <param name="Hops">The references from that object to the instance, in order.</param>
public sealed record RetentionPath(
    string TypeName,
    int Instances,
    int TotalInstances,
    RootKind RootKind,
    string RootName,
    string RootTypeName,
    IReadOnlyList<RetentionHop> Hops);
