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

    public static string KeyOf(HeapTypeInfo type, GroupBy groupBy) => groupBy switch
    {
        GroupBy.Namespace => type.Namespace,
        GroupBy.Assembly => type.Assembly,
        _ => type.Name,
    };
}
