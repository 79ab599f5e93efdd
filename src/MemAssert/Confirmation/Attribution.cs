namespace MemoryAssertions.Confirmation;

/// <summary>What one confirmation found.</summary>
/// <param name="Growing">The path groups that grew with the calls (in a second confirmation, those confirmed again).</param>
/// <param name="Leaks">The growing groups attributed to the objects the code leaks, largest first.</param>
/// <param name="Diff">The heap diff by diff key, last snapshot against the first.</param>
/// <param name="BytesPerCall">Bytes the growing groups gained per call.</param>
/// <param name="Calls">Calls in the two call intervals together.</param>
/// <param name="NeedsSecond">Whether the evidence is weak enough to ask for a second confirmation (<see cref="ConfirmationRule.NeedsSecondConfirmation"/>).</param>
internal sealed record Findings(GroupGrowth[] Growing, LeakedObject[] Leaks, TypeDelta[] Diff, double BytesPerCall, int Calls, bool NeedsSecond);

/// <summary>
/// Turns the growing path groups of a confirmation into leaks. Growing groups that lie on one another's paths form one
/// leak (a leaked <c>Session</c> that holds a <c>byte[]</c> is one leak of a <c>Session</c> owning a <c>byte[]</c>, not
/// two). The leak is named after its leaked object: the growing group closest to the root whose type is not the
/// runtime's own (so an event subscription names the subscriber, not the delegate), or the closest to the root where
/// every type is the runtime's. Groups that grow in place only (an array replaced by a larger one) name a leak only when
/// nothing in it grows by count.
/// </summary>
internal static class Attribution
{
    public static Findings Evaluate(PathShapes shapes, IReadOnlyList<SnapshotCounts> snapshots, int callsPerInterval, bool threadPoolChanged, IReadOnlySet<int>? grewInFirst)
    {
        Span<long> c = stackalloc long[4];
        Span<long> b = stackalloc long[4];
        var grew = new List<GroupGrowth>();
        for (var group = 0; group < shapes.Count; group++)
        {
            for (var s = 0; s < 4; s++)
            {
                c[s] = snapshots[s].Count(group);
                b[s] = snapshots[s].Bytes(group);
            }

            if (ConfirmationRule.GrowsWithCalls(group, c, b) is { } growth)
            {
                grew.Add(growth);
            }
        }

        // One leak is judged at one grain. Where the paths of a holder group that grew regularly on their own account for
        // all of its growth, the paths are the leak and the holder group is left out; where its objects spread over
        // several paths (at random, or moving between them, as a linked list's head does), the holder group is the leak
        // and its paths are left out.
        var regular = grew.Where(g => !shapes[g.Group].IsHolderGroup && !g.Irregular).ToDictionary(g => g.Group, g => g.CountDelta);
        var spread = grew
            .Where(h => shapes[h.Group].IsHolderGroup && !h.Irregular
                        && h.CountDelta > shapes.MembersOf(h.Group).Sum(m => regular.GetValueOrDefault(m)))
            .Select(h => h.Group)
            .ToHashSet();
        var spreadPaths = spread.SelectMany(shapes.MembersOf).ToHashSet();
        grew.RemoveAll(g => shapes[g.Group].IsHolderGroup ? !spread.Contains(g.Group) : spreadPaths.Contains(g.Group));
        var growing = grewInFirst is null ? grew.ToArray() : ConfirmationRule.ConfirmedAgain(grew, SameLeak(shapes, grewInFirst));
        var calls = 2 * callsPerInterval;
        var leaks = Leaks(shapes, growing, snapshots[3], calls);
        // In a first confirmation every group that grew counts, so the leaks are those of all of them.
        var needsSecond = grewInFirst is null && ConfirmationRule.NeedsSecondConfirmation(
            grew,
            leaks.Select(l => (IReadOnlyCollection<long>)l.Owned.Concat(l.HeldThrough).Prepend(l.Leaked).Select(g => g.CountDelta).ToArray()).ToArray(),
            callsPerInterval,
            threadPoolChanged);
        return new Findings(
            growing,
            leaks,
            snapshots[3].DiffFrom(snapshots[0]),
            ((double)growing.Sum(g => g.BytesDelta) / calls) + ContainerShares(shapes, growing, snapshots[3], calls),
            calls,
            needsSecond);
    }

    /// <summary>
    /// The groups that stand for the same objects as <paramref name="groups"/>: each group, the holder group of each
    /// path, and the paths of each holder group. A leak judged at one grain in a first confirmation may be judged at the
    /// other in the second (its objects spread over its paths differently).
    /// </summary>
    private static HashSet<int> SameLeak(PathShapes shapes, IReadOnlySet<int> groups)
    {
        var same = new HashSet<int>(groups);
        foreach (var g in groups)
        {
            if (shapes[g].IsHolderGroup)
            {
                same.UnionWith(shapes.MembersOf(g));
            }
            else if (shapes.HolderOf(g) is >= 0 and var holder)
            {
                same.Add(holder);
            }
        }

        return same;
    }

    /// <summary>
    /// The findings without the groups in <paramref name="stopped"/> (those that stopped growing when the leak was
    /// followed): leaks and bytes per call from the rest, and the stopped groups as leaks of their own, for the report.
    /// </summary>
    public static (Findings Remaining, LeakedObject[] Stopped) WithoutStopped(PathShapes shapes, Findings findings, SnapshotCounts last, IReadOnlySet<int> stopped)
    {
        var remaining = findings.Growing.Where(g => !stopped.Contains(g.Group)).ToArray();
        var gone = findings.Growing.Where(g => stopped.Contains(g.Group)).ToArray();
        var bytesPerCall = remaining.Length == 0
            ? 0
            : ((double)remaining.Sum(g => g.BytesDelta) / findings.Calls) + ContainerShares(shapes, remaining, last, findings.Calls);
        return (
            findings with { Growing = remaining, Leaks = Leaks(shapes, remaining, last, findings.Calls), BytesPerCall = bytesPerCall },
            Leaks(shapes, gone, last, findings.Calls));
    }

    /// <summary>The growing groups as leaks, each named after its leaked object, largest first.</summary>
    internal static LeakedObject[] Leaks(PathShapes shapes, GroupGrowth[] growing, SnapshotCounts last, int calls)
    {
        // A holder group stands where its main path (the one that holds most of its objects) does.
        var path = growing.ToDictionary(g => g.Group, g => Representative(shapes, g.Group, last));
        bool Above(GroupGrowth a, GroupGrowth b) => a.Group != b.Group && shapes.IsAncestor(path[a.Group], path[b.Group]);
        int Depth(GroupGrowth g) => shapes[path[g.Group]].Depth;

        var trees = growing.GroupBy(g => growing.Where(o => Above(o, g)).OrderBy(Depth).Select(o => o.Group).DefaultIfEmpty(g.Group).First());
        var leaks = new List<LeakedObject>();
        foreach (var tree in trees)
        {
            var members = tree.OrderBy(Depth).ThenByDescending(g => g.BytesDelta).ToArray();
            var counted = members.Where(g => g.ByCount).ToArray();
            var candidates = counted.Length > 0 ? counted : members;
            var named = candidates.Cast<GroupGrowth?>().FirstOrDefault(g => !IsRuntimeAssembly(shapes.AssemblyOf(shapes[g!.Value.Group].TypeName)))
                        ?? candidates[0];

            var heldThrough = members.Where(g => Above(g, named)).Select(g => Growth(shapes, g, last, calls)).ToArray();
            var owned = members
                .Where(g => g.Group != named.Group && !Above(g, named))
                .OrderByDescending(g => g.BytesDelta)
                .Select(g => Growth(shapes, g, last, calls))
                .ToArray();
            leaks.Add(new LeakedObject(Growth(shapes, named, last, calls), owned, heldThrough));
        }

        return leaks
            .OrderByDescending(l => l.BytesDelta)
            .ThenBy(l => l.TypeName, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// Bytes per call of the arrays that hold the leaked objects, amortized: each new object of a group held as an array
    /// element adds one element of that array, where the array did not itself grow during the snapshots. A collection's
    /// array grows by doubling, in steps seldom inside the few calls between snapshots; over a doubling it grows by as
    /// many elements as were added, so one element per object is what the code retains for it over a longer run.
    /// </summary>
    internal static double ContainerShares(PathShapes shapes, IReadOnlyCollection<GroupGrowth> growing, SnapshotCounts last, int calls)
    {
        var grew = growing.Select(g => g.Group).ToHashSet();
        var total = 0.0;
        foreach (var g in growing.Where(g => g.ByCount))
        {
            var parent = shapes[Representative(shapes, g.Group, last)].Parent;
            if (parent >= 0 && !grew.Contains(parent) && shapes.ElementSizeOf(shapes[parent].TypeName) is > 0 and var element)
            {
                total += (double)g.CountDelta / calls * element;
            }
        }

        return total;
    }

    /// <summary>A group's path: its own, or for a holder group the path that holds most of its objects.</summary>
    private static int Representative(PathShapes shapes, int group, SnapshotCounts last) =>
        shapes[group].IsHolderGroup ? shapes.MembersOf(group).MaxBy(last.Count) : group;


    private static PathGroupGrowth Growth(PathShapes shapes, GroupGrowth g, SnapshotCounts last, int calls)
    {
        var type = shapes[g.Group].TypeName;
        var path = shapes.ToPath(
            Representative(shapes, g.Group, last),
            (int)Math.Min(int.MaxValue, last.Count(g.Group)),
            (int)Math.Min(int.MaxValue, last.Instances.GetValueOrDefault(type)),
            (double)g.CountDelta / calls,
            shapes[g.Group].IsHolderGroup ? shapes.MembersOf(g.Group).Count(m => last.Count(m) > 0) - 1 : 0);
        return new PathGroupGrowth(path, g.CountDelta, g.BytesDelta);
    }

    /// <summary>Whether an assembly is the runtime's or the framework's own, whose types are how code holds things rather than what it leaks.</summary>
    internal static bool IsRuntimeAssembly(string assembly) =>
        assembly is "System" or "mscorlib" or "netstandard"
        || assembly.StartsWith("System.", StringComparison.Ordinal)
        || assembly.StartsWith("Microsoft.", StringComparison.Ordinal);
}
