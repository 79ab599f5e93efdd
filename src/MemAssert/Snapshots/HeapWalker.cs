using MemoryAssertions.RuntimeInternals;
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
    public const string NotWalkable = "the runtime reported that its heap cannot be walked right now (a GC was in progress).";

    /// <summary>For tests: check every object's references found by its type's map against its GC descriptor.</summary>
    internal static bool VerifyReferenceMaps { get => s_verifyReferenceMaps.Value; set => s_verifyReferenceMaps.Value = value; }

    private static readonly TestHook<bool> s_verifyReferenceMaps = new();

    /// <summary>
    /// Types of the runtime the walk neither counts nor follows, besides MemAssert's own (<see cref="OwnCode"/>): the
    /// runtime's reflection cache of each type (field and member infos, their names), which fills once per type whoever
    /// reflects on it. MemAssert names fields by reflection, so without this every snapshot would count the cache its
    /// predecessor's naming filled.
    /// </summary>
    private static readonly HashSet<string> BarrierTypes = ["System.RuntimeType+RuntimeTypeCache"];

    /// <param name="runtime">The runtime to walk.</param>
    /// <param name="route">The route taking the snapshot, kept in the graph.</param>
    /// <param name="includeStacks">
    /// Whether to take roots from thread stacks. Only a dump has thread contexts: a process cannot read its own
    /// threads' registers, and the DAC crashes or hangs when asked to walk stacks without them, so the live route takes
    /// its roots from the handle table, the finalizer queue and the statics instead and never asks for stacks.
    /// </param>
    /// <param name="heapRead">Called once nothing more will be read from the GC heap, before references are named.</param>
    /// <param name="fieldNames">
    /// Names references from this process's own types (<see cref="ReflectionFieldNames"/>); ClrMD names those it
    /// cannot, unless <paramref name="askDacForNames"/> is false.
    /// </param>
    /// <param name="askDacForNames">
    /// Whether ClrMD may name fields. The live route says no: after its heap was read the process runs on, and the DAC,
    /// asked for field types then, can loop forever; a field it cannot name otherwise is called <c>(field)</c>.
    /// </param>
    /// <param name="staticSlots">
    /// Where this process's static reference fields keep their references (<see cref="StaticSlots"/>), read through the
    /// runtime's reader; null to ask ClrMD for the statics, which asks the DAC for every field of every type.
    /// </param>
    /// <param name="cancellationToken">Observed during the walk.</param>
    public static HeapGraph Walk(
        ClrRuntime runtime,
        SnapshotRoute route,
        bool includeStacks,
        Action? heapRead = null,
        ReflectionFieldNames? fieldNames = null,
        bool askDacForNames = true,
        IReadOnlyList<StaticSlots.Slot>? staticSlots = null,
        CancellationToken cancellationToken = default)
    {
        var heap = runtime.Heap;
        if (!heap.CanWalkHeap)
        {
            throw SnapshotUnavailableException.Transient(NotWalkable);
        }

        // The handle table is read once: its dependent handles are followed by the walk, its strong handles are the
        // live route's roots.
        var handles = runtime.EnumerateHandles().ToArray();
        var walk = new Walker(runtime, handles, fieldNames, askDacForNames);
        if (staticSlots is null)
        {
            SeedStatics(runtime, walk);
        }
        else
        {
            foreach (var slot in staticSlots)
            {
                walk.SeedFromSlot(slot.Address, () => RootNames.StaticField(slot.Name));
            }
        }

        var roots = includeStacks
            ? heap.EnumerateRoots()
            : handles.Where(h => h.IsStrong).Cast<ClrRoot>().Concat(heap.EnumerateFinalizerRoots());
        foreach (var root in roots.OrderBy(r => RootOrder(r.RootKind)))
        {
            walk.Seed(root.Object.Address, () => DescribeRoot(root));
        }

        walk.Run(cancellationToken);

        // Everything read from the GC heap has been read: the caller may let the heap move again. Naming the references
        // reads type metadata only (and allocates), so it runs after that.
        heapRead?.Invoke();
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

                        walk.Seed(value.Address, () => RootNames.StaticField(type.Name ?? "(type)", field.Name ?? "(field)"));
                    }
                }
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

    /// <summary>
    /// The breadth-first walk. Per object it reads the method table pointer and the object's bytes (one read each, from
    /// the dump or, on the live route, from the reader's block cache) and lists the references with the type's GC
    /// descriptor, so it allocates almost nothing per object: no <see cref="ClrObject"/> enumerators and no field
    /// lookups. A reference is remembered as its parent's type and offset; only the few distinct (type, offset) pairs
    /// are turned into field names, once, at the end.
    /// </summary>
    private sealed class Walker
    {
        private const int DependentHandleKey = int.MinValue;

        /// <summary>Objects the last walk found: every check takes four snapshots of about the same heap.</summary>
        private static int s_lastCount;
        private const int ArrayElementKey = -1;

        private readonly ClrRuntime _runtime;
        private readonly ClrHeap _heap;
        private readonly IDataReader _reader;
        private readonly int _pointerSize;
        private readonly ulong _methodTableMask;
        private readonly SegmentBitmap _visited;
        private readonly Dictionary<ulong, int> _slotOf = [];
        private readonly List<TypeSlot> _slots = [];
        private readonly List<HeapTypeInfo> _types = [];
        private readonly Dictionary<(int Slot, int Key), int> _edgeKeyIds = [];
        private readonly List<(int Slot, int Key)> _edgeKeys = [];
        private readonly Dictionary<ulong, List<ulong>>? _dependents;
        private readonly List<HeapRoot> _roots = [];
        private readonly ReflectionFieldNames? _fieldNames;
        private readonly bool _askDac;
        private ulong[] _address;
        private int[] _slotOfObject;
        private long[] _sizeOf;
        private int[] _parentOf;
        private int[] _edgeOf;
        private byte[] _bytes = new byte[4096];
        private int _count;
        private ulong _lastMethodTable;
        private int _lastSlot = -1;

        public Walker(ClrRuntime runtime, IEnumerable<ClrHandle> handles, ReflectionFieldNames? fieldNames, bool askDac)
        {
            _fieldNames = fieldNames;
            _askDac = askDac;
            _runtime = runtime;
            _heap = runtime.Heap;
            _reader = runtime.DataTarget.DataReader;
            _pointerSize = _reader.PointerSize;
            _methodTableMask = ~(ulong)(_pointerSize - 1);
            _visited = new SegmentBitmap(_heap);

            // Sized for the last walk's count and a little more: growing by doubling would allocate (and the GC clear)
            // twice the arrays' final size, which is most of what a walk allocates.
            var capacity = (int)Math.Min(Array.MaxLength, Math.Max(1024L, s_lastCount + (s_lastCount / 8)));
            _address = new ulong[capacity];
            _slotOfObject = new int[capacity];
            _sizeOf = new long[capacity];
            _parentOf = new int[capacity];
            _edgeOf = new int[capacity];
            _dependents = DependentHandles(handles);
        }

        public void Seed(ulong address, Func<HeapRoot> describe)
        {
            if (address == 0 || SlotOf(address) is not (>= 0 and var slot) || _slots[slot].Barrier || !_visited.Add(address))
            {
                return;
            }

            _roots.Add(describe());
            Add(address, slot, -1 - (_roots.Count - 1), -1);
        }

        /// <summary>Seeds the object whose reference is stored at <paramref name="slot"/> (a static field's storage).</summary>
        public void SeedFromSlot(ulong slot, Func<HeapRoot> describe)
        {
            if (_reader.ReadPointer(slot, out var address))
            {
                Seed(address, describe);
            }
        }

        public void Run(CancellationToken cancellationToken)
        {
            for (var i = 0; i < _count; i++)
            {
                if ((i & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var parentSlot = _slotOfObject[i];
                if (_dependents is not null && _dependents.TryGetValue(_address[i], out var secondaries))
                {
                    foreach (var child in secondaries)
                    {
                        Follow(i, parentSlot, child, DependentHandleKey);
                    }
                }

                var parent = _slots[parentSlot];
                if (!parent.HasPointers)
                {
                    continue;
                }

                var size = _sizeOf[i];
                if (size > _bytes.Length)
                {
                    _bytes = new byte[(int)Math.Min(Array.MaxLength, Math.Max(size, _bytes.Length * 2L))];
                }

                var length = (int)Math.Min(size, _bytes.Length);
                if (_reader.Read(_address[i], _bytes.AsSpan(0, length)) != length)
                {
                    continue;
                }

                if (parent.References is { } map)
                {
                    if (VerifyReferenceMaps)
                    {
                        Verify(parent, map, length);
                    }

                    FollowMapped(i, parentSlot, parent, map, length);
                    continue;
                }

                foreach (var (child, offset) in parent.Descriptor.WalkObject(_bytes, length))
                {
                    Follow(i, parentSlot, child, offset);
                }
            }
        }

        /// <summary>For tests: the references a map finds must be those the GC descriptor finds, object by object.</summary>
        private void Verify(TypeSlot parent, int[] map, int length)
        {
            var expected = parent.Descriptor.WalkObject(_bytes, length).Where(r => r.ReferencedObject != 0).Select(r => r.Offset).Order().ToArray();
            var mapped = new List<int>();
            var bytes = _bytes.AsSpan(0, length);
            if (!parent.IsArray)
            {
                mapped.AddRange(map.Where(o => o + 8 <= length));
            }
            else
            {
                var elements = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes[_pointerSize..]);
                for (long e = 0, start = TypeSlot.ArrayDataStart; e < elements && start + parent.ComponentSize <= length; e++, start += parent.ComponentSize)
                {
                    mapped.AddRange(map.Select(o => (int)start + o));
                }
            }

            var buffer = _bytes;
            var actual = mapped.Where(o => System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(o)) != 0).Order().ToArray();
            if (!actual.SequenceEqual(expected))
            {
                throw new InvalidOperationException(
                    $"the reference map of {parent.Type.Name} found offsets [{string.Join(", ", actual)}], its GC descriptor [{string.Join(", ", expected)}].");
            }
        }

        /// <summary>The references of the object in <see cref="_bytes"/>, from its type's reference map: no enumerator per object.</summary>
        private void FollowMapped(int i, int parentSlot, TypeSlot parent, int[] map, int length)
        {
            var bytes = _bytes.AsSpan(0, length);
            if (!parent.IsArray)
            {
                foreach (var offset in map)
                {
                    if (offset + 8 <= length)
                    {
                        Follow(i, parentSlot, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes[offset..]), offset);
                    }
                }

                return;
            }

            var elements = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes[_pointerSize..]);
            var stride = parent.ComponentSize;
            for (long e = 0, start = TypeSlot.ArrayDataStart; e < elements && start + stride <= length; e++, start += stride)
            {
                foreach (var inElement in map)
                {
                    var offset = (int)start + inElement;
                    Follow(i, parentSlot, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes[offset..]), offset);
                }
            }
        }

        public HeapGraph ToGraph(SnapshotRoute route)
        {
            // Edge names, once per distinct (type, offset): the graph keeps the name's index.
            var names = new List<string>();
            var nameIds = new Dictionary<string, int>(StringComparer.Ordinal);
            var nameOfKey = new int[_edgeKeys.Count];
            for (var k = 0; k < _edgeKeys.Count; k++)
            {
                var name = EdgeName(_slots[_edgeKeys[k].Slot], _edgeKeys[k].Key);
                if (!nameIds.TryGetValue(name, out var id))
                {
                    id = names.Count;
                    names.Add(name);
                    nameIds[name] = id;
                }

                nameOfKey[k] = id;
            }

            // In place: the arrays are handed to the graph as they are (longer than the count), so that finishing the
            // walk does not copy arrays the size of the heap.
            s_lastCount = _count;
            for (var i = 0; i < _count; i++)
            {
                _slotOfObject[i] = _slots[_slotOfObject[i]].GraphId;
                _edgeOf[i] = _edgeOf[i] < 0 ? -1 : nameOfKey[_edgeOf[i]];
            }

            return new HeapGraph(route, _types, names, _roots, _slotOfObject, _sizeOf, _parentOf, _edgeOf, _count);
        }

        /// <summary>Primary object → secondaries of the process's dependent handles (ConditionalWeakTable entries).</summary>
        private static Dictionary<ulong, List<ulong>>? DependentHandles(IEnumerable<ClrHandle> handles)
        {
            Dictionary<ulong, List<ulong>>? map = null;
            foreach (var handle in handles)
            {
                if (handle.HandleKind != ClrHandleKind.Dependent || handle.Object.IsNull || handle.Dependent.IsNull)
                {
                    continue;
                }

                map ??= [];
                if (!map.TryGetValue(handle.Object.Address, out var list))
                {
                    map[handle.Object.Address] = list = [];
                }

                list.Add(handle.Dependent.Address);
            }

            return map;
        }

        private void Follow(int parent, int parentSlot, ulong child, int offset)
        {
            if (child == 0 || SlotOf(child) is not (>= 0 and var slot) || _slots[slot].Barrier || !_visited.Add(child))
            {
                return;
            }

            Add(child, slot, parent, EdgeKey(parentSlot, offset));
        }

        private void Add(ulong address, int slot, int parent, int edge)
        {
            if (_count == _address.Length)
            {
                var size = _count * 2;
                Array.Resize(ref _address, size);
                Array.Resize(ref _slotOfObject, size);
                Array.Resize(ref _sizeOf, size);
                Array.Resize(ref _parentOf, size);
                Array.Resize(ref _edgeOf, size);
            }

            var info = _slots[slot];
            if (info.GraphId < 0)
            {
                info.GraphId = _types.Count;
                _types.Add(new HeapTypeInfo(info.Type.Name ?? $"<type 0x{info.Type.MethodTable:x}>", AssemblyOf(info.Type), info.IsArray ? info.ComponentSize : 0));
            }

            _address[_count] = address;
            _slotOfObject[_count] = slot;
            _sizeOf[_count] = info.ComponentSize == 0 ? info.StaticSize : (long)_heap.GetObject(address, info.Type).Size;
            _parentOf[_count] = parent;
            _edgeOf[_count] = edge;
            _count++;
        }

        /// <summary>The type slot of the object at <paramref name="address"/>, or -1 when no managed type is there.</summary>
        private int SlotOf(ulong address)
        {
            if (!_reader.ReadPointer(address, out var methodTable))
            {
                return -1;
            }

            methodTable &= _methodTableMask;
            if (methodTable == _lastMethodTable && _lastSlot >= 0)
            {
                return _lastSlot;
            }

            if (!_slotOf.TryGetValue(methodTable, out var slot))
            {
                slot = -1;
                if (methodTable != 0 && _runtime.GetTypeByMethodTable(methodTable) is { } type && !type.IsFree)
                {
                    slot = _slots.Count;
                    var info = new TypeSlot(type, IsBarrierType(type), _pointerSize);
                    info.NamedByReflection = NameByReflection(info);
                    _slots.Add(info);
                }

                _slotOf[methodTable] = slot;
            }

            _lastMethodTable = methodTable;
            _lastSlot = slot;
            return slot;
        }

        /// <summary>
        /// Whether this process's own type for the slot's fields (its own, or for an array of structs its element's) is
        /// at hand. Looked up during the walk, while an object of the type is alive: holding the <see cref="Type"/> also
        /// keeps a collectible type loaded until naming is done. A dump was written earlier, and a collectible type in
        /// it may have been unloaded since, so the dump route leaves those to ClrMD.
        /// </summary>
        private bool NameByReflection(TypeSlot slot)
        {
            if (_fieldNames is null || !slot.HasPointers)
            {
                return false;
            }

            var methodTable = slot.IsArray ? slot.ComponentMethodTable : slot.Type.MethodTable;
            return methodTable != 0 && (!_askDac || !IsCollectible(slot)) && _fieldNames.Keep(methodTable);
        }

        private static bool IsCollectible(TypeSlot slot) => slot.Type.IsCollectible || (slot.IsArray && slot.Type.ComponentType is { IsCollectible: true });

        /// <summary>
        /// The key of a reference: its offset in the parent, or for arrays one key per field of the element (all
        /// elements of a reference array share one), so that an array of a million elements adds one key, not a million.
        /// </summary>
        private int EdgeKey(int parentSlot, int offset)
        {
            var key = offset;
            var parent = _slots[parentSlot];
            if (offset != DependentHandleKey && parent.IsArray)
            {
                key = parent.StructElementStart < 0 ? ArrayElementKey : -2 - ((offset - parent.StructElementStart) % parent.ComponentSize);
            }

            if (!_edgeKeyIds.TryGetValue((parentSlot, key), out var id))
            {
                id = _edgeKeys.Count;
                _edgeKeys.Add((parentSlot, key));
                _edgeKeyIds[(parentSlot, key)] = id;
            }

            return id;
        }

        private string EdgeName(TypeSlot slot, int key)
        {
            var parent = slot.Type;
            if (key == DependentHandleKey)
            {
                return "(via GC handle (dependent))";
            }

            if (key == ArrayElementKey)
            {
                return "[i]";
            }

            if (key < ArrayElementKey)
            {
                var inner = slot.NamedByReflection ? _fieldNames!.StructFields(slot.ComponentMethodTable, -2 - key) : null;
                return "[i]" + (inner ?? (_askDac ? InnerFieldNames(parent.ComponentType, -2 - key) : ".(field)"));
            }

            // Field offsets count from the end of the method table pointer.
            var dataOffset = key - _pointerSize;
            if (slot.NamedByReflection && _fieldNames!.ClassField(parent.MethodTable, dataOffset) is { } name)
            {
                return name;
            }

            if (!_askDac)
            {
                return "(field)";
            }

            return FieldAt(parent, dataOffset) is { } field
                ? field.Name + InnerFieldNames(LoadedStructType(field), dataOffset - field.Offset)
                : "(field)";
        }

        /// <summary>The names of the fields inside a struct that a reference at <paramref name="offset"/> of it lies in: <c>.key</c>, <c>.value._items</c>.</summary>
        private static string InnerFieldNames(ClrType? structType, int offset)
        {
            var names = string.Empty;
            var depth = 0;
            for (var type = structType; type is not null && depth++ < 8 && FieldAt(type, offset) is { } field; type = LoadedStructType(field))
            {
                names += "." + (field.Name ?? "(field)");
                offset -= field.Offset;
            }

            return names.Length > 0 ? names : structType is null ? string.Empty : ".(field)";
        }

        /// <summary>From the field's signature: asking for its type (<c>IsValueType</c>) costs ClrMD megabytes for generic types.</summary>
        private static bool IsStruct(ClrInstanceField field) => field.ElementType == ClrElementType.Struct;

        /// <summary>A struct field's type, only when the runtime has loaded it (a method table): never one made up from metadata.</summary>
        private static ClrType? LoadedStructType(ClrInstanceField field) =>
            IsStruct(field) && field.Type is { MethodTable: not 0 } type ? type : null;

        private static ClrInstanceField? FieldAt(ClrType type, int offset)
        {
            foreach (var field in type.Fields)
            {
                if (offset >= field.Offset && offset < field.Offset + Math.Max(field.Size, 1))
                {
                    return field;
                }
            }

            return null;
        }

        /// <summary>Types the walk neither counts nor follows: <see cref="BarrierTypes"/> and MemAssert's own (<see cref="OwnCode"/>).</summary>
        private static bool IsBarrierType(ClrType type) =>
            (type.Name is { } name && BarrierTypes.Contains(name)) || OwnCode.IsOwn(type.Name, AssemblyOf(type));

        private static string AssemblyOf(ClrType type) =>
            type.Module?.AssemblyName is { Length: > 0 } path ? Path.GetFileNameWithoutExtension(path) : "(unknown)";

        /// <summary>What the walk needs of one method table, looked up once.</summary>
        private sealed class TypeSlot
        {
            public TypeSlot(ClrType type, bool barrier, int pointerSize)
            {
                Type = type;
                Barrier = barrier;
                HasPointers = type.ContainsPointers;
                Descriptor = HasPointers ? type.GCDesc : default;
                StaticSize = (long)type.StaticSize;
                ComponentSize = type.ComponentSize;
                IsArray = type.IsArray;

                // Elements of a single-dimensional array start after the method table and the length.
                var szArray = IsArray && type.Name is { } name && name.EndsWith("[]", StringComparison.Ordinal);
                if (szArray && HasPointers && type.ComponentType is { IsValueType: true } && ComponentSize > 0)
                {
                    StructElementStart = 2 * pointerSize;
                    ComponentMethodTable = type.ComponentType.MethodTable;
                }

                if (HasPointers && pointerSize == 8 && (!IsArray || szArray))
                {
                    References = ReferenceMap(Descriptor, (int)StaticSize, IsArray ? ComponentSize : 0);
                }
            }

            /// <summary>Where a single-dimensional array's elements begin (64-bit): after the method table and the length.</summary>
            public const int ArrayDataStart = 16;

            /// <summary>
            /// The offsets of the reference slots, read once from the type's GC descriptor: of the object for a type that
            /// is not an array; of one element, from the element's start, for a single-dimensional array. Null when the
            /// descriptor does not fit that shape (the walk then asks the descriptor for every object).
            /// </summary>
            public int[]? References { get; }

            /// <summary>
            /// Lets the descriptor walk made-up objects whose every slot holds a non-null value: what it reports is the
            /// reference map. For an array, one of one element and one of two: the second must repeat the first.
            /// </summary>
            internal static int[]? ReferenceMap(GCDesc descriptor, int baseSize, int componentSize)
            {
                if (componentSize == 0)
                {
                    return baseSize is > 0 and < (1 << 20) ? Offsets(descriptor, baseSize, elements: -1) : null;
                }

                if (componentSize < 8 || baseSize != 24)
                {
                    return null;
                }

                var one = Offsets(descriptor, baseSize + componentSize, elements: 1);
                var two = Offsets(descriptor, baseSize + (2 * componentSize), elements: 2);
                if (one.Length == 0 || one.Any(o => o < ArrayDataStart || o + 8 > ArrayDataStart + componentSize)
                    || !two.SequenceEqual(one.Concat(one.Select(o => o + componentSize))))
                {
                    return null;
                }

                return one.Select(o => o - ArrayDataStart).ToArray();
            }

            private static int[] Offsets(GCDesc descriptor, int size, int elements)
            {
                var bytes = new byte[size];
                for (var slot = 8; slot + 8 <= size; slot += 8)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(slot), 0x1000 + (ulong)slot);
                }

                if (elements >= 0)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), (ulong)elements);
                }

                return descriptor.WalkObject(bytes, size).Select(r => r.Offset).Order().ToArray();
            }

            public ClrType Type { get; }

            public bool Barrier { get; }

            public bool HasPointers { get; }

            public GCDesc Descriptor { get; }

            public long StaticSize { get; }

            public int ComponentSize { get; }

            public bool IsArray { get; }

            /// <summary>For an array of structs that hold references: where its elements start; else -1.</summary>
            public int StructElementStart { get; } = -1;

            /// <summary>For an array of structs that hold references: the element type's method table.</summary>
            public ulong ComponentMethodTable { get; }

            public int GraphId { get; set; } = -1;

            /// <summary>Whether <see cref="ReflectionFieldNames"/> names this type's references.</summary>
            public bool NamedByReflection { get; set; }
        }
    }
}
