using Microsoft.Diagnostics.Runtime;
using MemoryAssertions.RuntimeInternals;

namespace MemoryAssertions.Snapshots;

/// <summary>What the walk needs of one method table, looked up once.</summary>
internal sealed class TypeSlot
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
