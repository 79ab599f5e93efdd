using Microsoft.Diagnostics.Runtime;

namespace MemoryAssertions.Snapshots;

/// <summary>
/// Walks a ClrMD heap breadth-first from its GC roots and copies what a report needs into a <see cref="HeapGraph"/>.
/// Only reachable objects are counted, so garbage that other threads allocated since the last GC is not.
/// Roots are taken in a fixed order so that an object is named after the most telling root that holds it:
/// static fields first, then handles, then thread stacks.
/// </summary>
internal static class HeapWalker
{
    /// <summary>Types whose instances hold snapshot data: the walk neither counts them nor follows them.</summary>
    private static readonly HashSet<string> BarrierTypes =
    [
        typeof(HeapSnapshot).FullName!,
        typeof(HeapGraph).FullName!,
    ];

    /// <param name="runtime">The runtime to walk.</param>
    /// <param name="route">The route's name, kept in the graph.</param>
    /// <param name="includeStacks">
    /// Whether to take roots from thread stacks. Only a dump has thread contexts: a process cannot read its own
    /// threads' registers, and the DAC crashes or hangs when asked to walk stacks without them, so the live route takes
    /// its roots from the handle table, the finalizer queue and the statics instead and never asks for stacks.
    /// </param>
    /// <param name="cancellationToken">Observed during the walk.</param>
    public static HeapGraph Walk(ClrRuntime runtime, string route, bool includeStacks, CancellationToken cancellationToken = default)
    {
        var heap = runtime.Heap;
        if (!heap.CanWalkHeap)
        {
            throw new SnapshotUnavailableException("the runtime reported that its heap cannot be walked right now (a GC was in progress).");
        }

        var walk = new Walker(heap);
        SeedStatics(runtime, walk);
        var roots = includeStacks
            ? heap.EnumerateRoots()
            : runtime.EnumerateHandles().Where(h => h.IsStrong).Cast<ClrRoot>().Concat(heap.EnumerateFinalizerRoots());
        foreach (var root in roots.OrderBy(r => RootOrder(r.RootKind)))
        {
            walk.Seed(root.Object, () => DescribeRoot(root));
        }

        walk.Run(cancellationToken);
        return walk.ToGraph(route);
    }

    private static void SeedStatics(ClrRuntime runtime, Walker walk)
    {
        var domains = runtime.AppDomains;
        foreach (var module in runtime.EnumerateModules())
        {
            foreach (var type in module.EnumerateTypesWithStaticFields())
            {
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

                        walk.Seed(value, () => new HeapRoot(
                            IsDelegate(field.Type) ? RootKind.StaticEvent : RootKind.StaticField,
                            $"{type.Name}.{field.Name}"));
                    }
                }
            }
        }
    }

    private static bool IsDelegate(ClrType? type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.Name is "System.MulticastDelegate" or "System.Delegate")
            {
                return true;
            }
        }

        return false;
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

    private static HeapRoot DescribeRoot(ClrRoot root)
    {
        switch (root.RootKind)
        {
            case ClrRootKind.Stack:
                var frame = (root as ClrStackRoot)?.StackFrame;
                var thread = frame?.Thread;
                var where = frame?.Method is { } method ? $" in {method.Type?.Name}.{method.Name}" : string.Empty;
                return new HeapRoot(RootKind.Stack, thread is null ? "a thread's stack" : $"stack of managed thread {thread.ManagedThreadId}{where}");
            case ClrRootKind.StrongHandle:
                return new HeapRoot(RootKind.StrongHandle, "strong GC handle");
            case ClrRootKind.PinnedHandle:
            case ClrRootKind.AsyncPinnedHandle:
                return new HeapRoot(RootKind.PinnedHandle, "pinned GC handle");
            case ClrRootKind.StaticVar:
                return new HeapRoot(RootKind.StaticField, "static variable");
            case ClrRootKind.ThreadStaticVar:
                return new HeapRoot(RootKind.ThreadStatic, "thread-static variable");
            case ClrRootKind.FinalizerQueue:
                return new HeapRoot(RootKind.FinalizerQueue, "finalizer queue");
            default:
                return new HeapRoot(RootKind.Other, $"{root.RootKind} root");
        }
    }

    private sealed class Walker(ClrHeap heap)
    {
        private readonly SegmentBitmap _visited = new(heap);
        private readonly Dictionary<ulong, int> _typeIds = [];
        private readonly Dictionary<ulong, bool> _barrier = [];
        private readonly List<HeapTypeInfo> _types = [];
        private readonly Dictionary<(ulong Mt, int Offset, int Inner), int> _edgeIds = [];
        private readonly Dictionary<string, int> _edgeNames = new(StringComparer.Ordinal);
        private readonly List<string> _edges = [];
        private readonly List<HeapRoot> _roots = [];
        private ulong[] _address = new ulong[1024];
        private int[] _typeOf = new int[1024];
        private long[] _sizeOf = new long[1024];
        private int[] _parentOf = new int[1024];
        private int[] _edgeOf = new int[1024];
        private int _count;

        public void Seed(ClrObject obj, Func<HeapRoot> describe)
        {
            if (obj.IsNull || !obj.IsValid || obj.Type is null || IsBarrier(obj.Type) || !_visited.Add(obj.Address))
            {
                return;
            }

            _roots.Add(describe());
            Add(obj, -1 - (_roots.Count - 1), -1);
        }

        public void Run(CancellationToken cancellationToken)
        {
            for (var i = 0; i < _count; i++)
            {
                if ((i & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var obj = heap.GetObject(_address[i]);
                if (obj.Type is not { ContainsPointers: true } parentType)
                {
                    continue;
                }

                foreach (var reference in obj.EnumerateReferencesWithFields(carefully: false, considerDependantHandles: true))
                {
                    var child = reference.Object;
                    if (child.IsNull || child.Type is not { } childType || IsBarrier(childType) || !_visited.Add(child.Address))
                    {
                        continue;
                    }

                    Add(child, i, EdgeId(parentType, reference));
                }
            }
        }

        public HeapGraph ToGraph(string route)
        {
            Array.Resize(ref _typeOf, _count);
            Array.Resize(ref _sizeOf, _count);
            Array.Resize(ref _parentOf, _count);
            Array.Resize(ref _edgeOf, _count);
            return new HeapGraph(route, _types, _edges, _roots, _typeOf, _sizeOf, _parentOf, _edgeOf, _count);
        }

        private void Add(ClrObject obj, int parent, int edge)
        {
            if (_count == _address.Length)
            {
                var size = _count * 2;
                Array.Resize(ref _address, size);
                Array.Resize(ref _typeOf, size);
                Array.Resize(ref _sizeOf, size);
                Array.Resize(ref _parentOf, size);
                Array.Resize(ref _edgeOf, size);
            }

            _address[_count] = obj.Address;
            _typeOf[_count] = TypeId(obj.Type!);
            _sizeOf[_count] = (long)obj.Size;
            _parentOf[_count] = parent;
            _edgeOf[_count] = edge;
            _count++;
        }

        private bool IsBarrier(ClrType type)
        {
            if (!_barrier.TryGetValue(type.MethodTable, out var barrier))
            {
                barrier = type.Name is { } name && BarrierTypes.Contains(name);
                _barrier[type.MethodTable] = barrier;
            }

            return barrier;
        }

        private int TypeId(ClrType type)
        {
            if (!_typeIds.TryGetValue(type.MethodTable, out var id))
            {
                id = _types.Count;
                var assembly = type.Module?.AssemblyName is { Length: > 0 } path ? Path.GetFileNameWithoutExtension(path) : "(unknown)";
                _types.Add(new HeapTypeInfo(type.Name ?? $"<type 0x{type.MethodTable:x}>", assembly));
                _typeIds[type.MethodTable] = id;
            }

            return id;
        }

        private int EdgeId(ClrType parentType, ClrReference reference)
        {
            var inner = reference.InnerField;
            var key = (parentType.MethodTable,
                reference.IsArrayElement ? -1 : reference.IsDependentHandle ? -2 : reference.Offset,
                inner?.Field?.Token ?? 0);
            if (_edgeIds.TryGetValue(key, out var id))
            {
                return id;
            }

            var name = reference.IsDependentHandle ? "(dependent handle)"
                : reference.IsArrayElement ? "[i]"
                : reference.Field?.Name ?? "(field)";
            for (var i = inner; i is { } f; i = f.InnerField)
            {
                name += "." + (f.Field?.Name ?? "(field)");
            }

            if (!_edgeNames.TryGetValue(name, out id))
            {
                id = _edges.Count;
                _edges.Add(name);
                _edgeNames[name] = id;
            }

            _edgeIds[key] = id;
            return id;
        }
    }
}
