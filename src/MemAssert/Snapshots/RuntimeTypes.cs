using System.Reflection;

namespace MemoryAssertions.Snapshots;

/// <summary>
/// The runtime types behind a snapshot's type names, from the assemblies loaded in this process: for the typed queries
/// of <see cref="HeapSnapshot"/> (derived types, interfaces). Constructed generic types are known only when asked for
/// by their <see cref="Type"/>: the runtime lists no instantiations.
/// </summary>
internal static class RuntimeTypes
{
    private static readonly object Sync = new();
    private static readonly Dictionary<string, Type> ByName = new(StringComparer.Ordinal);
    private static readonly HashSet<Assembly> Read = [];

    /// <summary>The loaded type printed as <paramref name="name"/>, or null.</summary>
    public static Type? Find(string name)
    {
        lock (Sync)
        {
            ReadNewAssemblies();
            return ByName.GetValueOrDefault(name);
        }
    }

    /// <summary>The names of <paramref name="type"/> and of every loaded type assignable to it.</summary>
    public static HashSet<string> NamesAssignableTo(Type type)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { TypeNames.Of(type) };
        lock (Sync)
        {
            ReadNewAssemblies();
            foreach (var (name, candidate) in ByName)
            {
                if (candidate != type && type.IsAssignableFrom(candidate))
                {
                    names.Add(name);
                }
            }
        }

        return names;
    }

    /// <summary>Adds the types of the assemblies loaded since the last call (each assembly is read once). Under <see cref="Sync"/>.</summary>
    private static void ReadNewAssemblies()
    {
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (assembly.IsDynamic || !Read.Add(assembly))
            {
                continue;
            }

            Type?[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException ex)
            {
                types = ex.Types;
            }

            foreach (var type in types)
            {
                if (type is not null && !type.IsGenericTypeDefinition)
                {
                    ByName.TryAdd(TypeNames.Of(type), type);
                }
            }
        }
    }
}
