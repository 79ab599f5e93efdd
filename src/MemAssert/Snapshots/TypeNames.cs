namespace MemoryAssertions.Snapshots;

internal static class TypeNames
{
    /// <summary>The namespace part of a ClrMD type name, ignoring generic arguments and array ranks.</summary>
    public static string NamespaceOf(string typeName)
    {
        var end = typeName.IndexOfAny(['<', '[', '`', '+']);
        var head = end < 0 ? typeName : typeName[..end];
        var dot = head.LastIndexOf('.');
        return dot < 0 ? "(global)" : head[..dot];
    }

    /// <summary>
    /// A runtime type's name as snapshots print it (ClrMD's form): <c>NS.Outer+Inner</c>, generic arguments in angle
    /// brackets separated by <c>", "</c>, arrays as <c>T[]</c>, <c>T[,]</c>.
    /// </summary>
    public static string Of(Type type)
    {
        if (type.IsArray)
        {
            return Of(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }

        // A nested type's generic arguments begin with its declaring type's (whose own Type is the open definition):
        // those are written after the declaring type's name, the rest after its own.
        var arguments = type.IsGenericType && !type.IsGenericTypeDefinition ? type.GetGenericArguments() : [];
        var inherited = 0;
        string name;
        if (type.IsNested)
        {
            var declaring = type.DeclaringType!;
            if (declaring.IsGenericTypeDefinition && arguments.Length > 0)
            {
                inherited = declaring.GetGenericArguments().Length;
                declaring = declaring.MakeGenericType(arguments[..inherited]);
            }

            name = Of(declaring) + "+" + Bare(type.Name);
        }
        else
        {
            name = (type.Namespace is { } ns ? ns + "." : "") + Bare(type.Name);
        }

        var own = arguments[inherited..];
        return own.Length == 0 ? name : name + "<" + string.Join(", ", own.Select(Of)) + ">";
    }

    private static string Bare(string name) => name.IndexOf('`', StringComparison.Ordinal) is >= 0 and var tick ? name[..tick] : name;

    public static string KeyOf(HeapTypeInfo type, GroupBy groupBy) => groupBy switch
    {
        GroupBy.Namespace => type.Namespace,
        GroupBy.Assembly => type.Assembly,
        _ => type.Name,
    };
}
