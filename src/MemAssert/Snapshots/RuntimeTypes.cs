using System.Reflection;

namespace MemoryAssertions.Snapshots;

/// <summary>
/// The runtime types behind a snapshot's type names, from the assemblies loaded in this process: for the typed queries
/// of <see cref="HeapSnapshot"/> (derived types, interfaces). Constructed generic types are known only when asked for
/// by their <see cref="Type"/>: the runtime lists no instantiations.
/// </summary>
internal static class RuntimeTypes
{
    private static readonly Lazy<Dictionary<string, Type>> s_byName = new(Load);
    private static readonly object Sync = new();
    private static int s_loadedAssemblies;

    /// <summary>The loaded type printed as <paramref name="name"/>, or null.</summary>
    public static Type? Find(string name)
    {
        Refresh();
        lock (Sync)
        {
            return s_byName.Value.GetValueOrDefault(name);
        }
    }

    /// <summary>The names of <paramref name="type"/> and of every loaded type assignable to it.</summary>
    public static HashSet<string> NamesAssignableTo(Type type)
    {
        Refresh();
        var names = new HashSet<string>(StringComparer.Ordinal) { TypeNames.Of(type) };
        lock (Sync)
        {
            foreach (var (name, candidate) in s_byName.Value)
            {
                if (candidate != type && type.IsAssignableFrom(candidate))
                {
                    names.Add(name);
                }
            }
        }

        return names;
    }

    /// <summary>Adds the types of assemblies loaded since the map was made.</summary>
    private static void Refresh()
    {
        var assemblies = AppDomain.CurrentDomain.GetAssemblies();
        lock (Sync)
        {
            if (!s_byName.IsValueCreated || assemblies.Length == s_loadedAssemblies)
            {
                s_loadedAssemblies = assemblies.Length;
                _ = s_byName.Value;
                return;
            }

            s_loadedAssemblies = assemblies.Length;
            foreach (var assembly in assemblies)
            {
                AddTypes(s_byName.Value, assembly);
            }
        }
    }

    private static Dictionary<string, Type> Load()
    {
        var map = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            AddTypes(map, assembly);
        }

        return map;
    }

    private static void AddTypes(Dictionary<string, Type> map, Assembly assembly)
    {
        if (assembly.IsDynamic)
        {
            return;
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
                map.TryAdd(TypeNames.Of(type), type);
            }
        }
    }
}
