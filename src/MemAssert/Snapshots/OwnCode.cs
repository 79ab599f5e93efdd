using System.Reflection;

namespace MemoryAssertions.Snapshots;

/// <summary>
/// MemAssert's own code: its assembly and the libraries it uses directly that are not part of the runtime (ClrMD and
/// the diagnostics client). Their objects are MemAssert's, not the code under test's: a snapshot neither counts nor
/// follows them, so they are never in a diff, never on a path, and never counted as growth. A type is own when an own
/// assembly defines it, or when it is a generic instantiation over an own type (the runtime's
/// <c>ConditionalWeakTable&lt;Type, TypeLayout&gt;</c> that MemAssert fills, ClrMD's <c>ImmutableArray&lt;ClrInstanceField&gt;</c>).
/// The libraries those bring in (Azure.Core, Microsoft.Extensions.*) are not own: code under test uses them too, and
/// what it leaks through them must be seen.
/// </summary>
internal static class OwnCode
{
    private static readonly Assembly Self = typeof(OwnCode).Assembly;

    /// <summary>The own assemblies' simple names: MemAssert and its direct references outside the runtime's directory.</summary>
    private static readonly HashSet<string> Own = DirectDependencies();

    /// <summary>
    /// The namespaces of MemAssert's own types (none of the runtime's <c>System</c> namespaces). A direct dependency's
    /// types are recognised by namespaces that start with its assembly's name (<c>Microsoft.Diagnostics.Runtime.*</c>),
    /// the convention of such libraries: listing their types would load the assemblies they derive from.
    /// </summary>
    private static readonly HashSet<string> Namespaces = Self.GetTypes()
        .Select(t => t.Namespace)
        .OfType<string>()
        .Where(ns => !ns.StartsWith("System", StringComparison.Ordinal))
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>Namespace prefixes of the direct dependencies' types: their assembly names.</summary>
    private static readonly string[] Prefixes = Own.Where(a => !string.Equals(a, Self.GetName().Name, StringComparison.OrdinalIgnoreCase)).ToArray();

    private static int s_prepared;

    /// <summary>
    /// MemAssert and every library it brings in that is not part of the runtime (ClrMD, and what ClrMD loads lazily,
    /// such as Azure.Core), among the assemblies loaded now. An assembly is loaded after the one that references it,
    /// so MemAssert's dependencies are known when they are first seen.
    /// </summary>
    public static HashSet<string> Assemblies(Assembly[] loaded) => Closure(loaded);

    /// <summary>
    /// Once per process, before the first snapshot: loads every assembly that MemAssert and the libraries it brings in
    /// reference, so that what ClrMD loads on its first use is loaded before the first snapshot. Its
    /// <c>RuntimeAssembly</c> objects are then in every snapshot, instead of showing as growth between the first and the
    /// later ones.
    /// </summary>
    public static void Prepare()
    {
        if (Interlocked.Exchange(ref s_prepared, 1) == 0)
        {
            LoadReferences();
        }
    }

    /// <summary>Whether a type seen in a snapshot is MemAssert's own (see the class remarks). Allocates nothing but the type name's parts.</summary>
    /// <param name="typeName">The type's full name as ClrMD gives it, generic arguments in angle brackets.</param>
    /// <param name="assembly">The simple name of the assembly that defines it (its generic definition, for an instantiation).</param>
    public static bool IsOwn(string? typeName, string? assembly)
    {
        if (assembly is not null && Own.Contains(assembly))
        {
            return true;
        }

        if (typeName is null || typeName.IndexOf('<', StringComparison.Ordinal) < 0)
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
            if (Namespaces.Contains(ns))
            {
                return true;
            }

            foreach (var prefix in Prefixes)
            {
                if (ns.StartsWith(prefix, StringComparison.Ordinal) && (ns.Length == prefix.Length || ns[prefix.Length] == '.'))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static HashSet<string> DirectDependencies()
    {
        var runtimeDirectory = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        var own = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Self.GetName().Name! };
        foreach (var reference in Self.GetReferencedAssemblies())
        {
            if (reference.Name is { } name && !File.Exists(Path.Combine(runtimeDirectory, name + ".dll")))
            {
                own.Add(name);
            }
        }

        return own;
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
