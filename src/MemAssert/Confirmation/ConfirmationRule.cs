namespace MemoryAssertions.Confirmation;

/// <summary>How one path group changed over a confirmation's two call intervals.</summary>
/// <param name="Group">The group's id (a <see cref="PathShapes"/> shape).</param>
/// <param name="CountDelta">Objects it gained over both call intervals.</param>
/// <param name="BytesDelta">Bytes it gained over both call intervals.</param>
/// <param name="ByCount">Whether its count grew; false for an object that grew in place (an array replaced by a larger one).</param>
/// <param name="Irregular">
/// Its count grew by very different amounts in the two call intervals (by more than one object and more than a quarter
/// of the larger): the same calls repeated do not do that to a leak; random numbers of objects caught on another
/// thread's stack do.
/// </param>
internal readonly record struct GroupGrowth(int Group, long CountDelta, long BytesDelta, bool ByCount, bool Irregular);

/// <summary>
/// The confirmation rule, as pure functions of the counts of path groups in a confirmation's four snapshots: after K
/// calls (0), after K more calls (1), after K full GCs without calls, the control (2), after K calls again (3). A leak
/// grows with the calls and not without them; what other threads or the runtime add grows with time, control included.
/// </summary>
internal static class ConfirmationRule
{
    /// <summary>More leaks than this at once looks like other threads' work: confirmed once more.</summary>
    internal const int SuspiciousLeaks = 2;

    /// <summary>
    /// The group's growth when it grows with the calls: its count rose in both call intervals and by less than half as
    /// much in the control interval; or, for an object that grows in place, its bytes rose in both call intervals while
    /// its count never fell, and neither its count nor its bytes changed in the control interval. Otherwise null.
    /// </summary>
    /// <param name="group">The group's id, kept in the result.</param>
    /// <param name="counts">Its object count in each of the four snapshots.</param>
    /// <param name="bytes">Its bytes in each of the four snapshots.</param>
    public static GroupGrowth? GrowsWithCalls(int group, ReadOnlySpan<long> counts, ReadOnlySpan<long> bytes)
    {
        long c1 = counts[1] - counts[0], control = counts[2] - counts[1], c2 = counts[3] - counts[2];
        long b1 = bytes[1] - bytes[0], controlBytes = bytes[2] - bytes[1], b2 = bytes[3] - bytes[2];
        var byCount = c1 > 0 && c2 > 0 && control * 2 < Math.Min(c1, c2);
        // An object that grows in place does not change at all without the calls. Bytes are a finer measure than counts:
        // what another thread holds for a moment (a buffer of random size on its stack) changes them in every interval.
        var byBytes = c1 >= 0 && c2 >= 0 && control == 0 && controlBytes == 0 && b1 > 0 && b2 > 0;
        if (!byCount && !byBytes)
        {
            return null;
        }

        var irregular = byCount && Math.Abs(c1 - c2) > Math.Max(1, Math.Max(c1, c2) / 4);
        return new GroupGrowth(group, c1 + c2, b1 + b2, byCount, irregular);
    }

    /// <summary>
    /// Whether the leaks a first confirmation found must grow again in a second one, because the evidence is weak: the
    /// thread pool changed size (each thread brings its own objects, which grow with the calls that made the pool grow);
    /// more than <see cref="SuspiciousLeaks"/> separate leaks at once (other threads initialising things while the calls
    /// run, as a test host starting up does); a group grew irregularly (<see cref="GrowsWithCalls"/>); or some leak grew
    /// by fewer objects than calls in every one of its groups, which is what other threads add now and then (a timer or
    /// a task more in each interval, beside a real leak or alone). A sparse leak grows again; a coincidence seldom does.
    /// </summary>
    /// <param name="growing">The groups that grew with the calls.</param>
    /// <param name="leaks">The separate leaks they form, each with its groups' growth.</param>
    /// <param name="callsPerInterval">K, the calls in each call interval.</param>
    /// <param name="threadPoolChanged">Whether the thread pool's size changed while the calls between the snapshots ran.</param>
    public static bool NeedsSecondConfirmation(IReadOnlyCollection<GroupGrowth> growing, IReadOnlyCollection<IReadOnlyCollection<long>> leaks, int callsPerInterval, bool threadPoolChanged) =>
        growing.Count > 0 &&
        (threadPoolChanged || leaks.Count > SuspiciousLeaks || growing.Any(g => g.Irregular)
         || leaks.Any(counts => counts.All(c => c < 2L * callsPerInterval)));

    /// <summary>
    /// Whether a group that grew with the calls stopped growing when followed for <paramref name="followCalls"/> more
    /// calls: it grew by less than half of what its rate in the confirmation predicts (by count, or by bytes for an
    /// object that grows in place), and so did its type's instances, however held. A leak grows on at its rate; a bounded
    /// cache stops at its bound; a leak whose objects come to be reached from another root (a queue of a
    /// <c>ConcurrentBag</c> nearer to a thread's slots than to the bag) stops in its group but grows on in its type.
    /// Null when the prediction is under four objects (or four times the group's growth in place): too few to tell.
    /// </summary>
    /// <param name="growth">The group's growth over the confirmation's <paramref name="calls"/> calls.</param>
    /// <param name="calls">The confirmation's calls (both call intervals).</param>
    /// <param name="followCalls">The calls it was followed for.</param>
    /// <param name="grew">
    /// What it gained over them: instances of its holder group and of its type, the larger of the two; for growth in
    /// place, its holder group's bytes (<see cref="Grew"/>).
    /// </param>
    public static bool? StoppedGrowing(GroupGrowth growth, int calls, long followCalls, long grew)
    {
        var predicted = Predicted(growth, calls, followCalls);
        if (predicted < (growth.ByCount ? 4.0 : 4.0 * growth.BytesDelta))
        {
            return null;
        }

        return grew * 2 < predicted;
    }

    /// <summary>What a followed group gained, as <see cref="StoppedGrowing"/> judges it.</summary>
    /// <param name="growth">The group's growth in the confirmation (whether it grows by count or in place).</param>
    /// <param name="countGrowth">Instances its holder group gained.</param>
    /// <param name="bytesGrowth">Bytes its holder group gained.</param>
    /// <param name="typeCountGrowth">Instances of its type gained, however held.</param>
    public static long Grew(GroupGrowth growth, long countGrowth, long bytesGrowth, long typeCountGrowth) =>
        growth.ByCount ? Math.Max(countGrowth, typeCountGrowth) : bytesGrowth;

    /// <summary>What the group's rate over the confirmation's <paramref name="calls"/> predicts for <paramref name="followCalls"/> more: instances, or bytes when it grows in place.</summary>
    public static double Predicted(GroupGrowth growth, int calls, long followCalls) =>
        (growth.ByCount ? growth.CountDelta : growth.BytesDelta) * ((double)followCalls / calls);

    /// <summary>
    /// In a second confirmation, the groups that count: those that grew in the first one as well, and grew regularly this
    /// time. A leak grows in both; work that happened to coincide with the calls the first time does not.
    /// </summary>
    public static GroupGrowth[] ConfirmedAgain(IEnumerable<GroupGrowth> growing, IReadOnlySet<int> grewInFirst) =>
        growing.Where(g => grewInFirst.Contains(g.Group) && !g.Irregular).ToArray();
}
