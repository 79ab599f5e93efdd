using MemoryAssertions.RuntimeInternals;
using Microsoft.Diagnostics.Runtime;

namespace MemoryAssertions.Snapshots;

/// <summary>
/// Walks a ClrMD heap breadth-first from its GC roots and copies what a report needs into a <see cref="HeapGraph"/>.
/// Only reachable objects are counted, so garbage that other threads allocated since the last GC is not.
/// Roots are taken in a fixed order so that an object is named after the most telling root that holds it:
/// static fields first, then thread statics, then handles, then thread stacks.
/// </summary>
internal static class HeapWalker
{
    public const string NotWalkable = "the runtime reported that its heap cannot be walked right now (a GC was in progress).";

    /// <summary>For tests: check every object's references found by its type's map against its GC descriptor.</summary>
    internal static bool VerifyReferenceMaps { get => s_verifyReferenceMaps.Value; set => s_verifyReferenceMaps.Value = value; }

    private static readonly TestHook<bool> s_verifyReferenceMaps = new();

    /// <summary>
    /// For this async flow: the address of a GC handle (any kind, a weak one included) whose object the walks should find,
    /// so that the graph can give the retention path of that one object (<see cref="HeapGraph.Target"/>). 0 for none.
    /// </summary>
    internal static nint FindTarget { get => s_findTarget.Value; set => s_findTarget.Value = value; }

    private static readonly AsyncLocal<nint> s_findTarget = new();

    /// <summary>For this async flow: whether walks record each object's GC generation (<see cref="HeapGraph.Generations"/>).</summary>
    internal static bool RecordGenerations { get => s_recordGenerations.Value; set => s_recordGenerations.Value = value; }

    private static readonly AsyncLocal<bool> s_recordGenerations = new();

    /// <param name="runtime">The runtime to walk.</param>
    /// <param name="strategy">The route's strategy: roots, statics, naming, and what happens once the heap is read.</param>
    /// <param name="cancellationToken">Observed during the walk.</param>
    public static HeapGraph Walk(ClrRuntime runtime, WalkStrategy strategy, CancellationToken cancellationToken = default)
    {
        var heap = runtime.Heap;
        if (!heap.CanWalkHeap)
        {
            throw SnapshotUnavailableException.Transient(NotWalkable);
        }

        // The handle table is read once: its dependent handles are followed by the walk, its strong handles are the
        // live route's roots.
        var handles = runtime.EnumerateHandles().ToArray();
        var walk = new Walker(runtime, handles, new ReflectionFieldNames(), strategy.Naming == FieldNaming.ReflectionThenDac);
        if (strategy.StaticSlots is not { } staticSlots)
        {
            SeedStatics(runtime, walk);
        }
        else
        {
            foreach (var slot in staticSlots)
            {
                walk.SeedFromSlot(slot.Address, () => RootNames.StaticField(slot.Name));
            }

            SeedThreadStatics(runtime, walk, strategy.ThreadStatics ?? []);
        }

        var roots = strategy.Roots == RootSource.AllRoots
            ? heap.EnumerateRoots()
            : handles.Where(h => h.IsStrong).Cast<ClrRoot>().Concat(heap.EnumerateFinalizerRoots());
        foreach (var root in roots.OrderBy(r => RootOrder(r.RootKind)))
        {
            walk.Seed(root.Object.Address, () => DescribeRoot(root));
        }

        walk.Run(cancellationToken);
        var target = FindTarget == 0 ? -1 : walk.IndexOf(handles.FirstOrDefault(h => h.Address == (ulong)FindTarget)?.Object.Address ?? 0);
        var generations = RecordGenerations ? walk.Generations() : null;

        // Everything read from the GC heap has been read: the caller may let the heap move again. Naming the references
        // reads type metadata only (and allocates), so it runs after that.
        strategy.HeapRead?.Invoke();
        var graph = walk.ToGraph(strategy.Route);
        graph.Target = target;
        graph.Generations = generations;
        return graph;
    }

    /// <summary>Statics and thread statics as ClrMD lists them: every field of every type with statics, from the DAC.</summary>
    private static void SeedStatics(ClrRuntime runtime, Walker walk)
    {
        var domains = runtime.AppDomains;
        var threadStatics = new List<(ClrType Type, ClrThreadStaticField Field)>();
        foreach (var module in runtime.EnumerateModules())
        {
            foreach (var type in module.EnumerateTypesWithStaticFields())
            {
                // Not of generic types, as on the live route: asking the .NET 8 DAC for a thread static of a generic type
                // definition crashed the process.
                if (type.Name?.Contains('<', StringComparison.Ordinal) == false)
                {
                    threadStatics.AddRange(type.ThreadStaticFields.Where(f => f.IsObjectReference).Select(f => (type, f)));
                }

                foreach (var field in type.StaticFields)
                {
                    if (!field.IsObjectReference)
                    {
                        continue;
                    }

                    foreach (var domain in domains)
                    {
                        if (!field.IsInitialized(domain))
                        {
                            continue;
                        }

                        var value = field.ReadObject(domain);
                        if (value.IsNull || !value.IsValid)
                        {
                            continue;
                        }

                        walk.Seed(value.Address, () => RootNames.StaticField(type.Name ?? "(type)", field.Name ?? "(field)"));
                    }
                }
            }
        }

        // After every static, as the roots' order has it.
        var threads = runtime.Threads;
        foreach (var (type, field) in threadStatics)
        {
            SeedThreadStatic(walk, threads, field, $"{type.Name ?? "(type)"}.{field.Name ?? "(field)"}");
        }
    }

    /// <summary>
    /// The listed thread statics, each thread's slot of each: since .NET 9 a thread's statics are held by the thread's
    /// own storage, which neither the handle table nor ClrMD's root enumeration reports. The DAC is asked about the
    /// listed fields' types only, whose types are loaded, never for every type's fields.
    /// </summary>
    private static void SeedThreadStatics(ClrRuntime runtime, Walker walk, IReadOnlyList<StaticSlots.ThreadStaticField> fields)
    {
        if (fields.Count == 0)
        {
            return;
        }

        var threads = runtime.Threads;
        foreach (var listed in fields)
        {
            if (runtime.GetTypeByMethodTable(listed.MethodTable) is { } type &&
                type.ThreadStaticFields.FirstOrDefault(f => f.Name == listed.Field && f.IsObjectReference) is { } field)
            {
                SeedThreadStatic(walk, threads, field, listed.Name);
            }
        }
    }

    private static void SeedThreadStatic(Walker walk, IEnumerable<ClrThread> threads, ClrThreadStaticField field, string qualifiedName)
    {
        foreach (var thread in threads)
        {
            if (thread.IsAlive && field.GetAddress(thread) is not 0 and var slot)
            {
                var id = thread.ManagedThreadId;
                walk.SeedFromSlot(slot, () => RootNames.ThreadStaticField(qualifiedName, id));
            }
        }
    }

    private static int RootOrder(ClrRootKind kind) => kind switch
    {
        ClrRootKind.StaticVar => 0,
        ClrRootKind.ThreadStaticVar => 1,
        ClrRootKind.StrongHandle => 2,
        ClrRootKind.PinnedHandle => 3,
        ClrRootKind.SizedRefHandle or ClrRootKind.RefCountedHandle or ClrRootKind.AsyncPinnedHandle => 4,
        ClrRootKind.Stack => 5,
        ClrRootKind.FinalizerQueue => 6,
        _ => 7,
    };

    private static HeapRoot DescribeRoot(ClrRoot root) => root.RootKind switch
    {
        ClrRootKind.Stack => RootNames.StackLocal((root as ClrStackRoot)?.StackFrame?.Thread?.ManagedThreadId),
        ClrRootKind.StrongHandle or ClrRootKind.SizedRefHandle or ClrRootKind.RefCountedHandle => RootNames.Handle("strong"),
        ClrRootKind.PinnedHandle or ClrRootKind.AsyncPinnedHandle => RootNames.Handle("pinned"),
        ClrRootKind.StaticVar => RootNames.StaticField("(a static of an unnamed type)"),
        ClrRootKind.ThreadStaticVar => RootNames.ThreadStaticField("(a thread static of an unnamed type)", null),
        ClrRootKind.FinalizerQueue => RootNames.FinalizerQueue,
        _ => RootNames.Other(root.RootKind.ToString()),
    };
}
