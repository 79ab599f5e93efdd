using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MemoryAssertions.RuntimeInternals;

/// <summary>
/// Names the references of a snapshot from this process's own type system. Every snapshot is of this process, so the
/// method tables in it are this process's own: <see cref="RuntimeTypeHandle.FromIntPtr"/> gives each one's
/// <see cref="Type"/>, and the JIT gives each field's offset: a small dynamic method takes the address of every field
/// (<c>ldflda</c>) and subtracts the address of the object's first byte of data.
/// </summary>
/// <remarks>
/// Why not ClrMD's <c>ClrType.Fields</c>: on the live route it asks the DAC for field types after the no-GC region has
/// ended, while the process runs on, and on a heap of a million objects the DAC sometimes looped forever inside
/// <c>libmscordaccore</c> (4 runs in 11). It also misplaces fields of generic structs with automatic layout (it named
/// <c>Item1</c> where a <c>(int, T)</c> tuple holds its reference in <c>Item2</c>), and it allocates hundreds of
/// megabytes resolving generic field types. Nothing here reads the heap: it reflects over types loaded in this process.
/// Offsets count from the end of the method table pointer, as ClrMD's do.
/// </remarks>
internal sealed class ReflectionFieldNames
{
    private const BindingFlags Declared = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    /// <summary>Nested structs followed at most this deep (as the ClrMD naming does).</summary>
    private const int MaxDepth = 8;

    private static readonly FieldInfo DataField = typeof(RawData).GetField(nameof(RawData.Data))!;

    /// <summary>
    /// Layouts measured once per process and type, for as long as the type lives (a collectible type can still be
    /// unloaded). The walk neither counts nor follows the cache (a barrier type), so it never shows up as growth.
    /// </summary>
    private static readonly LayoutCache Layouts = new();

    /// <summary>
    /// Pinned, never moves: the fields' addresses are taken relative to it, so no address ever points outside a real
    /// object, whatever the type being measured. Only its address is used, so every thread may share it.
    /// </summary>
    private static readonly byte[] Scratch = GC.AllocateArray<byte>(64 * 1024, pinned: true);

    private readonly Dictionary<ulong, Type?> _types = [];

    private delegate void ClassOffsets(object instance, int[] offsets);

    private delegate void StructOffsets(ref byte start, int[] offsets);

    /// <summary>
    /// Creates what naming creates once per process (this class's statics, the <see cref="OpCodes"/> statics: some 230
    /// objects) before the first snapshot is taken, so that they are in every snapshot and never show up as growth.
    /// </summary>
    public static void Prepare()
    {
        RuntimeHelpers.RunClassConstructor(typeof(OpCodes).TypeHandle);
        GC.KeepAlive(Scratch);
    }


    /// <summary>
    /// Looks up (and holds) this process's type for a method table read from the heap, while an object of it is alive;
    /// false when there is none. Not for arrays' own method tables, whose type handles differ between runtimes.
    /// </summary>
    public bool Keep(ulong methodTable) => TypeOf(methodTable) is not null;

    /// <summary>
    /// The name of the field of the object's type at <paramref name="methodTable"/> that holds a reference at
    /// <paramref name="dataOffset"/>, with the fields of the structs it lies in (<c>_pair.value</c>); null when the
    /// type or the field cannot be found this way. A boxed struct's data starts where a class's does, so its fields'
    /// offsets in the struct are their offsets in the box.
    /// </summary>
    public string? ClassField(ulong methodTable, int dataOffset)
    {
        if (TypeOf(methodTable) is not { IsArray: false } type || Layout(type) is not { } layout)
        {
            return null;
        }

        return FieldAt(layout, dataOffset) is { } field ? field.Name + Inner(field, dataOffset - field.Offset, 1) : null;
    }

    /// <summary>
    /// The fields inside the struct at <paramref name="methodTable"/> that a reference at <paramref name="offset"/> of it
    /// lies in: <c>.key</c>, <c>.value._items</c>; null when the struct cannot be read this way.
    /// </summary>
    public string? StructFields(ulong methodTable, int offset)
    {
        if (TypeOf(methodTable) is not { IsValueType: true } type || Layout(type) is not { } layout || FieldAt(layout, offset) is not { } field)
        {
            return null;
        }

        return "." + field.Name + Inner(field, offset - field.Offset, 1);
    }

    private static string Inner(FieldSlot field, int offset, int depth)
    {
        if (!field.IsStruct)
        {
            return string.Empty;
        }

        if (depth >= MaxDepth || Layout(field.Type) is not { } layout || FieldAt(layout, offset) is not { } inner)
        {
            return ".(field)";
        }

        return "." + inner.Name + Inner(inner, offset - inner.Offset, depth + 1);
    }

    private Type? TypeOf(ulong methodTable)
    {
        if (!_types.TryGetValue(methodTable, out var type))
        {
            try
            {
                type = Type.GetTypeFromHandle(RuntimeTypeHandle.FromIntPtr((nint)methodTable));
            }
            catch (Exception ex) when (ex is ArgumentException or TypeLoadException or NotSupportedException)
            {
                type = null;
            }

            _types[methodTable] = type;
        }

        return type;
    }

    /// <summary>The field that holds <paramref name="offset"/>: the one with the largest offset not beyond it.</summary>
    private static FieldSlot? FieldAt(FieldSlot[] layout, int offset)
    {
        FieldSlot? found = null;
        foreach (var field in layout)
        {
            if (field.Offset <= offset && (found is null || field.Offset > found.Offset))
            {
                found = field;
            }
        }

        return found;
    }

    /// <summary>Every instance field of <paramref name="type"/> (base classes' included) with its offset; null when it cannot be measured.</summary>
    private static FieldSlot[]? Layout(Type type) => Layouts.Table.GetValue(type, static t => new TypeLayout(MeasureOrNull(t))).Slots;

    private static FieldSlot[]? MeasureOrNull(Type type)
    {
        try
        {
            return Measure(type);
        }
        catch (Exception ex) when (ex is InvalidProgramException or NotSupportedException or ArgumentException or TypeLoadException or MemberAccessException or BadImageFormatException)
        {
            return null;
        }
    }

    private static FieldSlot[] Measure(Type type)
    {
        var fields = new List<FieldInfo>();
        for (var t = type; t is not null && t != typeof(object); t = t.IsValueType ? null : t.BaseType)
        {
            fields.AddRange(t.GetFields(Declared));
        }

        if (fields.Count == 0 || type.ContainsGenericParameters || type.IsByRefLike)
        {
            return [];
        }

        var offsets = new int[fields.Count];
        var method = new DynamicMethod(
            "MemAssertFieldOffsets",
            typeof(void),
            [type.IsValueType ? typeof(byte).MakeByRefType() : typeof(object), typeof(int[])],
            typeof(ReflectionFieldNames).Module,
            skipVisibility: true);
        var il = method.GetILGenerator();
        for (var i = 0; i < fields.Count; i++)
        {
            // offsets[i] = &instance.field - &instance.<first byte of data>
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldflda, fields[i]);
            il.Emit(OpCodes.Ldarg_0);
            if (!type.IsValueType)
            {
                il.Emit(OpCodes.Ldflda, DataField);
            }

            il.Emit(OpCodes.Sub);
            il.Emit(OpCodes.Conv_I4);
            il.Emit(OpCodes.Stelem_I4);
        }

        il.Emit(OpCodes.Ret);

        // Any object will do as the instance: no field is read or written, only addresses are taken, and those stay
        // inside the scratch array as long as the type's fields fit in it (they are checked below).
        if (type.IsValueType)
        {
            ((StructOffsets)method.CreateDelegate(typeof(StructOffsets)))(ref MemoryMarshal.GetArrayDataReference(Scratch), offsets);
        }
        else
        {
            ((ClassOffsets)method.CreateDelegate(typeof(ClassOffsets)))(Scratch, offsets);
        }

        var layout = new FieldSlot[fields.Count];
        for (var i = 0; i < fields.Count; i++)
        {
            if (offsets[i] < 0 || offsets[i] >= Scratch.Length / 2)
            {
                throw new NotSupportedException($"field offset {offsets[i]} out of range");
            }

            var fieldType = fields[i].FieldType;
            layout[i] = new FieldSlot(
                fields[i].Name,
                offsets[i],
                fieldType,
                fieldType.IsValueType && !fieldType.IsPrimitive && !fieldType.IsEnum && !fieldType.IsPointer && !fieldType.IsFunctionPointer);
        }

        return layout;
    }

    private sealed record FieldSlot(string Name, int Offset, Type Type, bool IsStruct);

    private sealed class LayoutCache
    {
        public ConditionalWeakTable<Type, TypeLayout> Table { get; } = new();
    }

    private sealed class TypeLayout(FieldSlot[]? slots)
    {
        public FieldSlot[]? Slots { get; } = slots;
    }

    /// <summary>Its one field lies where every object's data begins, just after the method table pointer.</summary>
    private sealed class RawData
    {
#pragma warning disable CS0649 // Only its address is ever taken (ldflda), never its value.
        public byte Data;
#pragma warning restore CS0649
    }
}
