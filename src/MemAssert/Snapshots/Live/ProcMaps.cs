namespace MemoryAssertions.Snapshots;

/// <summary>This process's memory map, from <c>/proc/self/maps</c>: its readable ranges and its mapped files (Linux).</summary>
internal static class ProcMaps
{
    /// <summary>The readable mappings of /proc/self/maps, in address order, adjacent ones merged.</summary>
    public static List<(ulong Start, ulong End)> ReadableMappings()
    {
        var result = new List<(ulong Start, ulong End)>();
        foreach (var mapping in Mappings())
        {
            if (!mapping.Readable)
            {
                continue;
            }

            if (result.Count > 0 && result[^1].End == mapping.Start)
            {
                result[^1] = (result[^1].Start, mapping.End);
            }
            else
            {
                result.Add((mapping.Start, mapping.End));
            }
        }

        return result;
    }

    /// <summary>One line of /proc/self/maps: <c>start-end perms offset dev inode [path]</c>.</summary>
    private readonly record struct Mapping(ulong Start, ulong End, bool Readable, string Line);

    /// <summary>The lines of /proc/self/maps, in address order (the kernel lists them so).</summary>
    private static IEnumerable<Mapping> Mappings()
    {
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var span = line.AsSpan();
            var dash = span.IndexOf('-');
            var space = span.IndexOf(' ');
            if (dash <= 0 || space <= dash ||
                !ulong.TryParse(span[..dash], System.Globalization.NumberStyles.HexNumber, null, out var start) ||
                !ulong.TryParse(span[(dash + 1)..space], System.Globalization.NumberStyles.HexNumber, null, out var end))
            {
                continue;
            }

            yield return new Mapping(start, end, space + 1 < span.Length && span[space + 1] == 'r', line);
        }
    }

    /// <summary>Each mapped file of /proc/self/maps with the lowest address it is mapped at.</summary>
    public static List<(string Path, ulong Start)> MappedFiles()
    {
        var starts = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var mapping in Mappings())
        {
            var path = PathOf(mapping.Line);
            if (path.IsEmpty || path[0] != '/' || path.EndsWith(" (deleted)", StringComparison.Ordinal))
            {
                continue;
            }

            var start = mapping.Start;
            var name = path.ToString();
            if (!starts.TryGetValue(name, out var known))
            {
                order.Add(name);
                starts[name] = start;
            }
            else if (start < known)
            {
                starts[name] = start;
            }
        }

        return order.Select(p => (p, starts[p])).ToList();
    }

    /// <summary>The sixth field (the path), which may itself contain spaces.</summary>
    private static ReadOnlySpan<char> PathOf(ReadOnlySpan<char> line)
    {
        var rest = line;
        for (var field = 0; field < 5; field++)
        {
            rest = rest.TrimStart(' ');
            var end = rest.IndexOf(' ');
            if (end < 0)
            {
                return [];
            }

            rest = rest[end..];
        }

        return rest.TrimStart(' ');
    }
}
