using Microsoft.Diagnostics.Runtime;
using MemoryAssertions.RuntimeInternals;

namespace MemoryAssertions.Snapshots;

/// <summary>
/// The breadth-first walk. Per object it reads the method table pointer and the object's bytes (one read each, from
/// the dump or, on the live route, from the reader's block cache) and lists the references with the type's GC
/// descriptor, so it allocates almost nothing per object: no <see cref="ClrObject"/> enumerators and no field
/// lookups. A reference is remembered as its parent's type and offset; only the few distinct (type, offset) pairs
/// are turned into field names, once, at the end.
/// </summary>
internal sealed class Walker
{
    private const int DependentHandleKey = int.MinValue;

    /// <summary>
    /// Types of the runtime the walk neither counts nor follows, besides MemAssert's own (<see cref="OwnCode"/>): the
    /// runtime's reflection cache of each type (field and member infos, their names), which fills once per type whoever
    /// reflects on it. MemAssert names fields by reflection, so without this every snapshot would count the cache its
    /// predecessor's naming filled.
    /// </summary>
    private static readonly HashSet<string> BarrierTypes = ["System.RuntimeType+RuntimeTypeCache"];

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
                if (HeapWalker.VerifyReferenceMaps)
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

    /// <summary>Each object's GC generation, read while the heap is still as walked (3: large object heap, 4: pinned object heap).</summary>
    public byte[] Generations()
    {
        var generations = new byte[_count];
        ClrSegment? segment = null;
        for (var i = 0; i < _count; i++)
        {
            var address = _address[i];
            if (segment is null || !segment.ObjectRange.Contains(address))
            {
                segment = _heap.GetSegmentByAddress(address);
            }

            // ClrMD's Generation: 0, 1, 2, Large (3), Pinned (4); frozen objects (never collected) and unknowns count as 2.
            var generation = segment is null ? 2 : (int)segment.GetGeneration(address);
            generations[i] = (byte)(generation is >= 0 and <= 4 ? generation : 2);
        }

        return generations;
    }

    /// <summary>The index of the object at <paramref name="address"/> among those the walk found, or -1.</summary>
    public int IndexOf(ulong address)
    {
        if (address != 0)
        {
            for (var i = 0; i < _count; i++)
            {
                if (_address[i] == address)
                {
                    return i;
                }
            }
        }

        return -1;
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
}
