using MemoryAssertions.RuntimeInternals;

namespace MemoryAssertions.Snapshots;

/// <summary>Where a walk takes its roots from.</summary>
internal enum RootSource
{
    /// <summary>Every root ClrMD reports (thread stacks, handles, the finalizer queue): a dump has thread contexts.</summary>
    AllRoots,

    /// <summary>
    /// Strong handles and the finalizer queue, never stacks: a process cannot read its own threads' registers, and the
    /// DAC crashes or hangs when asked to walk stacks without them.
    /// </summary>
    HandlesAndFinalizerQueue,
}

/// <summary>How a walk names the references it followed.</summary>
internal enum FieldNaming
{
    /// <summary>From this process's own types by reflection; what reflection cannot name, ClrMD (the DAC) names.</summary>
    ReflectionThenDac,

    /// <summary>
    /// From this process's own types only; <c>(field)</c> where they cannot. After a live walk the process runs on, and
    /// the DAC, asked for field types then, can loop forever.
    /// </summary>
    ReflectionOnly,
}

/// <summary>
/// A route's strategy for the walk: where roots come from, where statics come from, how fields are named, and what
/// happens once nothing more is read from the GC heap.
/// </summary>
/// <param name="Route">The route, kept in the graph.</param>
/// <param name="Roots">Where roots other than statics come from.</param>
/// <param name="Naming">How references are named.</param>
/// <param name="StaticSlots">
/// Where this process's static reference fields keep their references (<see cref="RuntimeInternals.StaticSlots"/>),
/// read through the runtime's reader; null to ask ClrMD for the statics, which asks the DAC for every field of every type.
/// </param>
/// <param name="HeapRead">Called once nothing more will be read from the GC heap, before references are named: the caller may let the heap move again.</param>
/// <param name="ThreadStatics">
/// The thread-static reference fields whose per-thread slots the DAC is asked for (with <paramref name="StaticSlots"/>);
/// ignored when the statics come from ClrMD, whose types list their thread statics too.
/// </param>
internal sealed record WalkStrategy(
    SnapshotRoute Route,
    RootSource Roots,
    FieldNaming Naming,
    IReadOnlyList<StaticSlots.Slot>? StaticSlots = null,
    Action? HeapRead = null,
    IReadOnlyList<StaticSlots.ThreadStaticField>? ThreadStatics = null)
{
    /// <summary>The dump route's: a dump has every root, and the DAC may be asked about a dump at leisure.</summary>
    public static WalkStrategy Dump { get; } = new(SnapshotRoute.Dump, RootSource.AllRoots, FieldNaming.ReflectionThenDac);

    /// <summary>The live route's: handles, statics from their slots and the listed thread statics, names by reflection only.</summary>
    public static WalkStrategy Live(IReadOnlyList<StaticSlots.Slot>? staticSlots, IReadOnlyList<StaticSlots.ThreadStaticField>? threadStatics, Action heapRead) =>
        new(SnapshotRoute.Live, RootSource.HandlesAndFinalizerQueue, FieldNaming.ReflectionOnly, staticSlots, heapRead, threadStatics);
}
