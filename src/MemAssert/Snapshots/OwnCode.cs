using System.Reflection;

namespace MemoryAssertions.Snapshots;

/// <summary>
/// MemAssert's own code: its assembly and the libraries it brings in that are not part of the runtime (ClrMD, and what
/// ClrMD loads lazily, such as Azure.Core). Their objects are MemAssert's, not the code under test's: a snapshot neither
/// counts nor follows them, so they are never in a diff, never on a path, and never counted as growth. A type is own
/// when an own assembly defines it, or when it is a generic instantiation over an own type (the runtime's
/// <c>ConditionalWeakTable&lt;Type, TypeLayout&gt;</c> that MemAssert fills, ClrMD's <c>ImmutableArray&lt;ClrInstanceField&gt;</c>).
/// </summary>
internal static class OwnCode
{
    private static readonly object Gate = new();
    private static readonly string Self = typeof(OwnCode).Assembly.GetName().Name!;
    private static Snapshot s_current = new([], []);

    /// <summary>
    /// The own assemblies' simple names, and the namespaces of MemAssert's own types (none of the runtime's
    /// <c>System</c> namespaces). A dependency's types are recognised by namespaces that start with its assembly's name
    /// (<c>Microsoft.Diagnostics.Runtime.*</c>, <c>Azure.Core.*</c>), the convention of every such library: listing its
    /// types would load the assemblies they derive from, and each snapshot would find more.
    /// </summary>
    private sealed record Snapshot(HashSet<string> Assemblies, HashSet<string> Namespaces);

    /// <summary>
    /// The simple names of the own assemblies among those loaded now. An assembly is loaded after the one that
    /// references it, so MemAssert's dependencies are known when they are first seen.
    /// </summary>
    public static HashSet<string> Assemblies(Assembly[] loaded) => Closure(loaded);

    /// <summary>
    /// Brings the own assemblies and namespaces up to date with what is loaded. Allocates (reflection): call it before
    /// a snapshot holds the heap still. The first call also loads every assembly that an own assembly references, so
    /// that what ClrMD loads on its first use is loaded before the first snapshot: its <c>RuntimeAssembly</c> objects are
    /// then in every snapshot, instead of showing as growth between the first and the later ones.
    /// </summary>
    public static void Prepare()
    {
        if (s_current.Assemblies.Count == 0)
        {
            LoadReferences();
        }

        var loaded = AppDomain.CurrentDomain.GetAssemblies();
        lock (Gate)
        {
            var own = Closure(loaded);
            if (own.SetEquals(s_current.Assemblies))
            {
                return;
            }

            var namespaces = s_current.Namespaces;
            if (namespaces.Count == 0)
            {
                namespaces = new HashSet<string>(StringComparer.Ordinal);
                foreach (var type in typeof(OwnCode).Assembly.GetTypes())
                {
                    if (type.Namespace is { } ns && !ns.StartsWith("System", StringComparison.Ordinal))
                    {
                        namespaces.Add(ns);
                    }
                }
            }

            s_current = new Snapshot(own, namespaces);
        }
    }

    /// <summary>Whether a type seen in a snapshot is MemAssert's own (see the class remarks). Allocates nothing but the type name's parts.</summary>
    /// <param name="typeName">The type's full name as ClrMD gives it, generic arguments in angle brackets.</param>
    /// <param name="assembly">The simple name of the assembly that defines it (its generic definition, for an instantiation).</param>
    public static bool IsOwn(string? typeName, string? assembly)
    {
        var current = s_current;
        if (assembly is not null && current.Assemblies.Contains(assembly))
        {
            return true;
        }

        if (typeName is null || typeName.IndexOf('<', StringComparison.Ordinal) < 0 || current.Namespaces.Count == 0)
        {
            return false;
        }

        foreach (var part in typeName.Split(['<', '>', ',', ' ', '[', ']'], StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var name = part.Split('+')[0];
            var dot = name.LastIndexOf('.');
            if (dot <= 0)
            {
                continue;
            }

            var ns = name[..dot];
            if (current.Namespaces.Contains(ns) || current.Assemblies.Any(a => a != Self && (ns == a || ns.StartsWith(a + ".", StringComparison.Ordinal))))
            {
                return true;
            }
        }

        return false;
    }

    private static void LoadReferences()
    {
        var own = Closure(AppDomain.CurrentDomain.GetAssemblies());
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var queue = new Queue<Assembly>([typeof(OwnCode).Assembly]);
        while (queue.TryDequeue(out var assembly))
        {
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name is not { } name || !seen.Add(name))
                {
                    continue;
                }

                try
                {
                    var referenced = Assembly.Load(reference);
                    if (own.Contains(name) || !File.Exists(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), name + ".dll")))
                    {
                        queue.Enqueue(referenced);
                    }
                }
                catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
                {
                    // An optional dependency that is not deployed: nothing will load it later either.
                }
            }
        }
    }

    private static HashSet<string> Closure(Assembly[] loaded)
    {
        var byName = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
        foreach (var assembly in loaded)
        {
            if (!assembly.IsDynamic && assembly.GetName().Name is { } name)
            {
                byName.TryAdd(name, assembly);
            }
        }

        var runtimeDirectory = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        var self = typeof(OwnCode).Assembly;
        var own = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { self.GetName().Name! };
        var queue = new Queue<Assembly>([self]);
        while (queue.TryDequeue(out var assembly))
        {
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name is not { } name || File.Exists(Path.Combine(runtimeDirectory, name + ".dll")) || !own.Add(name))
                {
                    continue;
                }

                if (byName.TryGetValue(name, out var referenced))
                {
                    queue.Enqueue(referenced);
                }
            }
        }

        return own;
    }
}
