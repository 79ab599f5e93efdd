using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Runtime.CompilerServices;

namespace MemoryAssertions.RuntimeInternals;

/// <summary>
/// The static reference fields of this process's loaded types, each with the address of the slot that holds its
/// reference, found without the DAC and without running any class constructor. The live route seeds its walk from
/// these slots, read through its own reader while the heap is held still.
/// </summary>
/// <remarks>
/// <para>Why not ClrMD's <c>EnumerateTypesWithStaticFields</c>: it asks the DAC for every field of every type in the
/// module maps, and in a fresh test host, where other threads load types meanwhile, the DAC sometimes looped forever in
/// <c>GetFieldData</c> (1 run in 4 of two live-route tests).</para>
/// <para>How: each loaded assembly's metadata (read in place, no types loaded) gives the static fields whose signature is
/// a reference type, outside generic type definitions; only those fields are resolved. The runtime's own
/// <c>RuntimeFieldHandle.GetStaticFieldAddress</c> (internal; found by reflection, called through a small dynamic
/// method) gives a field's slot once the type's statics exist, and never runs the class constructor. On .NET 9 and 10
/// a non-collectible type's reference statics live in slots of pinned <see cref="object"/> arrays that never move, so
/// a slot found once is kept for the life of the process.</para>
/// <para>If the internal method is missing, or a self-test on a probe field finds that the slot it gives does not hold
/// the field's reference, <see cref="Current"/> returns null and the walk asks ClrMD as before.</para>
/// <para>Thread statics have a slot per thread: <see cref="ThreadStatics"/> lists the fields, and the walk asks the DAC for
/// each thread's slot of those fields only.</para>
/// <para>Not covered, as with ClrMD's enumeration: statics of generic instantiations, collectible and dynamic
/// assemblies. Their objects are still counted (static storage is held by GC handles), named after the handle that
/// reaches them.</para>
/// </remarks>
internal static class StaticSlots
{
    /// <summary>A static field's slot: the reference in it is a root named <see cref="Name"/>.</summary>
    internal readonly record struct Slot(ulong Address, string Name);

    /// <summary>A thread-static reference field: its declaring type's method table, its name, and the declaring type's full name, a dot and its name.</summary>
    internal readonly record struct ThreadStaticField(ulong MethodTable, string Field, string Name);

    /// <summary>
    /// Below this, an address from <c>GetStaticFieldAddress</c> is the field's bare offset: the type's statics have not
    /// been created yet (its class was never touched).
    /// </summary>
    private const ulong NoStorage = 64 * 1024;

    private static readonly Func<FieldInfo, nint>? AddressOf = CreateAddressOf();

    /// <summary>All state, in one object the walk neither counts nor follows (a barrier type).</summary>
    private static readonly Registry State = new();


    /// <summary>For tests: act as if the runtime's method were missing.</summary>
    internal static bool Disabled { get => s_disabled.Value; set => s_disabled.Value = value; }

    private static readonly TestHook<bool> s_disabled = new();

    /// <summary>
    /// Whether slots can be found this way here (the runtime's method exists and passed the self-test). Where they
    /// cannot (another runtime, such as .NET 8 if it lacks the method), the live walk would ask the DAC for the statics,
    /// which is what stopped responding in busy test hosts; <see cref="SnapshotRoute.Auto"/> then takes the dump route.
    /// </summary>
    public static bool IsAvailable
    {
        get
        {
            if (AddressOf is null || Disabled)
            {
                return false;
            }

            lock (State)
            {
                State.Works ??= SelfTest(AddressOf);
                return State.Works.Value;
            }
        }
    }

    /// <summary>
    /// The slots of every static reference field whose type's statics exist now, in a stable order; null when slots
    /// cannot be found this way here. Allocates (reflection), so it runs before the heap is held still.
    /// </summary>
    public static Slot[]? Current()
    {
        if (!IsAvailable)
        {
            return null;
        }

        lock (State)
        {
            foreach (var pending in Register())
            {
                pending.MoveResolved(AddressOf!, State.Found);
            }

            return [.. State.Found];
        }
    }

    /// <summary>
    /// The thread-static reference fields of this process's loaded types (same assemblies and types as
    /// <see cref="Current"/>), in a stable order. Each thread has a slot of its own for each, which only the runtime's
    /// data access component can locate on another thread; the walk asks it for these fields only. Allocates
    /// (reflection), so it runs before the heap is held still.
    /// </summary>
    public static ThreadStaticField[] ThreadStatics()
    {
        lock (State)
        {
            _ = Register();
            return [.. State.ThreadStatics];
        }
    }

    /// <summary>Reads each loaded assembly's candidate fields once, when it is first seen; returns every assembly's pending fields.</summary>
    private static IEnumerable<PendingFields> Register()
    {
        var assemblies = AppDomain.CurrentDomain.GetAssemblies();
        var result = new List<PendingFields>(assemblies.Length);
        HashSet<string>? own = null;
        foreach (var assembly in assemblies)
        {
            if (!State.Pending.TryGetValue(assembly, out var pending))
            {
                // Decided once, when the assembly is first seen. MemAssert's own statics are left out: resolving their
                // fields loads their types, which loads further assemblies (System.Text.Json, …), and a snapshot never
                // counts their objects anyway (OwnCode).
                own ??= Snapshots.OwnCode.Assemblies(assemblies);
                var leftOut = assembly.IsDynamic || assembly.IsCollectible || own.Contains(assembly.GetName().Name ?? string.Empty);
                pending = new PendingFields(leftOut ? [] : Candidates(assembly, State.ThreadStatics));
                State.Pending.Add(assembly, pending);
            }

            result.Add(pending);
        }

        return result;
    }

    /// <summary>
    /// Static fields of <paramref name="assembly"/> that can hold a reference: static, not constant, not in an RVA
    /// blob, of a class, interface, array or string type, in a type that is not generic. Thread statics are added to
    /// <paramref name="threadStatics"/>, the others returned.
    /// </summary>
    private static unsafe List<FieldInfo> Candidates(Assembly assembly, List<ThreadStaticField> threadStatics)
    {
        var result = new List<FieldInfo>();
        if (!assembly.TryGetRawMetadata(out var blob, out var length))
        {
            return result;
        }

        var metadata = new MetadataReader(blob, length);
        var module = assembly.ManifestModule;
        foreach (var typeHandle in metadata.TypeDefinitions)
        {
            var type = metadata.GetTypeDefinition(typeHandle);
            if (type.GetGenericParameters().Count > 0)
            {
                // A generic definition (nested types of generic types carry their parents' parameters): its statics
                // belong to each instantiation.
                continue;
            }

            foreach (var fieldHandle in type.GetFields())
            {
                var field = metadata.GetFieldDefinition(fieldHandle);
                if ((field.Attributes & (FieldAttributes.Static | FieldAttributes.Literal | FieldAttributes.HasFieldRVA)) != FieldAttributes.Static ||
                    !HoldsReference(metadata.GetBlobReader(field.Signature)))
                {
                    continue;
                }

                try
                {
                    // Loads the declaring type (not its class constructor) if nothing has yet.
                    if (module.ResolveField(MetadataTokens.GetToken(fieldHandle)) is not { DeclaringType: { } declaring } info)
                    {
                        continue;
                    }

                    if (info.IsDefined(typeof(ThreadStaticAttribute), inherit: false))
                    {
                        threadStatics.Add(new ThreadStaticField((ulong)declaring.TypeHandle.Value, info.Name, $"{declaring.FullName}.{info.Name}"));
                    }
                    else
                    {
                        result.Add(info);
                    }
                }
                catch (Exception ex) when (ex is TypeLoadException or IOException or BadImageFormatException or ArgumentException or MemberAccessException or FormatException)
                {
                    // A type that cannot be loaded here (a missing dependency) has no statics to read; an attribute blob
                    // that cannot be read (FormatException) leaves the field out.
                }
            }
        }

        return result;
    }

    /// <summary>Whether a field signature is a reference type: class, interface, string, object, array, generic class.</summary>
    private static bool HoldsReference(BlobReader signature)
    {
        if (signature.ReadSignatureHeader().Kind != SignatureKind.Field)
        {
            return false;
        }

        while (true)
        {
            switch (signature.ReadByte())
            {
                case 0x1f: // ELEMENT_TYPE_CMOD_REQD (volatile) and
                case 0x20: // ELEMENT_TYPE_CMOD_OPT: a modifier's type token comes first.
                    _ = signature.ReadTypeHandle();
                    continue;
                case 0x0e: // STRING
                case 0x12: // CLASS
                case 0x14: // ARRAY
                case 0x1c: // OBJECT
                case 0x1d: // SZARRAY
                    return true;
                case 0x15: // GENERICINST, followed by CLASS or VALUETYPE
                    return signature.ReadByte() == 0x12;
                default:
                    return false;
            }
        }
    }

    /// <summary>The runtime's own static-field address lookup, or null where it is not found with the shape expected.</summary>
    private static Func<FieldInfo, nint>? CreateAddressOf()
    {
        try
        {
            var method = typeof(RuntimeFieldHandle).GetMethod("GetStaticFieldAddress", BindingFlags.Static | BindingFlags.NonPublic);
            if (method is null || method.GetParameters() is not [{ ParameterType: var parameter }] ||
                !typeof(FieldInfo).IsAssignableFrom(parameter) || !(method.ReturnType.IsPointer || method.ReturnType == typeof(nint)))
            {
                return null;
            }

            var dynamicMethod = new DynamicMethod("StaticFieldAddress", typeof(nint), [typeof(FieldInfo)], typeof(StaticSlots).Module, skipVisibility: true);
            var il = dynamicMethod.GetILGenerator();
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Castclass, parameter);
            il.Emit(OpCodes.Call, method);
            il.Emit(OpCodes.Ret);
            return dynamicMethod.CreateDelegate<Func<FieldInfo, nint>>();
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or MemberAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The slot given for a probe field must hold the very object the field holds, before and after a compacting GC.</summary>
    private static unsafe bool SelfTest(Func<FieldInfo, nint> addressOf)
    {
        try
        {
            Probe.Value = new object();
            var field = typeof(Probe).GetField(nameof(Probe.Value))!;
            var slot = addressOf(field);
            if ((ulong)slot < NoStorage || !ReferenceEquals(Unsafe.AsRef<object>((void*)slot), Probe.Value))
            {
                return false;
            }

            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            return addressOf(field) == slot && ReferenceEquals(Unsafe.AsRef<object>((void*)slot), Probe.Value);
        }
        catch (Exception ex) when (ex is InvalidCastException or MemberAccessException or InvalidProgramException or NotSupportedException)
        {
            return false;
        }
    }

    private static class Probe
    {
#pragma warning disable CA2211 // The self-test's probe field: public so that reflection finds it simply.
        public static object? Value;
#pragma warning restore CA2211
    }

    private sealed class Registry
    {
        public bool? Works { get; set; }

        public Dictionary<Assembly, PendingFields> Pending { get; } = [];

        public List<Slot> Found { get; } = [];

        public List<ThreadStaticField> ThreadStatics { get; } = [];
    }

    /// <summary>An assembly's candidate fields whose type's statics did not exist yet when last looked at.</summary>
    private sealed class PendingFields(List<FieldInfo> fields)
    {
        public void MoveResolved(Func<FieldInfo, nint> addressOf, List<Slot> found)
        {
            var kept = 0;
            for (var i = 0; i < fields.Count; i++)
            {
                var field = fields[i];
                var slot = (ulong)addressOf(field);
                if (slot < NoStorage)
                {
                    fields[kept++] = field;
                    continue;
                }

                found.Add(new Slot(slot, $"{field.DeclaringType!.FullName}.{field.Name}"));
            }

            fields.RemoveRange(kept, fields.Count - kept);
        }
    }
}
