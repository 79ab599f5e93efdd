namespace MemoryAssertions.Series;

/// <summary>A verdict on a live-bytes series.</summary>
/// <param name="Kind">The verdict.</param>
/// <param name="BytesPerIteration">Fitted growth of the floor per iteration.</param>
/// <param name="SegmentLength">Iterations per segment: the spacing at which growth was seen in every segment.</param>
/// <param name="Rises">Segments (after the first) whose floor rose beyond the allowance.</param>
/// <param name="Segments">How many segments the series was cut into.</param>
/// <param name="From">
/// Index in the series where the judged part begins: 0, or the last point where the live heap fell below every value
/// before it (memory freed elsewhere in the process), from which the series was judged afresh.
/// </param>
internal readonly record struct GrowthDecision(GrowthKind Kind, double BytesPerIteration, int SegmentLength, int Rises, int Segments, int From = 0);

/// <summary>
/// The decision rule. The series (live bytes after the warm-up, then after each iteration) is cut into four equal
/// segments and each segment is summarised by its minimum, its floor. Noise from other threads only ever adds live
/// bytes at the instant of a GC, so the floor is what the code under test retains. Growth is sustained when the floor
/// rises from every segment to the next; it is absent when no floor rises above the one before it and at least one
/// floor is level with the one before (a heap that shrinks in every segment could be hiding a leak); anything in
/// between (it rose, then stopped, or it rose in steps further apart than a segment, or it rose only after the last
/// segment's floor) is inconclusive, and the caller extends the run. A leak that adds something every P-th call rises
/// in every segment once segments are P long, whatever the call counter was when the run began.
/// <para>
/// Memory freed elsewhere in the process (a pool trimming itself on a timer, what earlier code left to finalizers) makes
/// the heap drop once, by any amount, at any iteration. A drop larger than what a leak has retained so far takes the
/// floor below every value before it and breaks the rise of one segment. So when the whole series is inconclusive and
/// the heap fell to a new low after the first point, the series from the last new low on is judged afresh, as if the
/// run had started there, provided it is at least <c>minimumJudged</c> points long (otherwise inconclusive: the caller
/// extends the run and the part after the drop grows).
/// </para>
/// </summary>
internal static class GrowthRule
{
    public const int SegmentCount = 4;

    /// <param name="live">Live bytes: the baseline, then one value per iteration.</param>
    /// <param name="allowancePerIteration">Growth per iteration that is tolerated.</param>
    /// <param name="minimumJudged">
    /// The fewest points a part of the series after a new low must have to be judged on its own (the configured run
    /// length, so that it is as sensitive to sparse leaks as a whole run).
    /// </param>
    public static GrowthDecision Decide(ReadOnlySpan<long> live, long allowancePerIteration, int minimumJudged)
    {
        var whole = DecideWhole(live, allowancePerIteration);
        if (whole.Kind != GrowthKind.Inconclusive)
        {
            return whole;
        }

        var from = LastNewLow(live);
        if (from == 0)
        {
            return whole;
        }

        if (live.Length - from < Math.Max(3, minimumJudged))
        {
            return whole with { From = from };
        }

        return DecideWhole(live[from..], allowancePerIteration) with { From = from };
    }

    /// <summary>The last index whose value is below every value before it; 0 when the series never fell below its start.</summary>
    private static int LastNewLow(ReadOnlySpan<long> live)
    {
        var low = live[0];
        var at = 0;
        for (var i = 1; i < live.Length; i++)
        {
            if (live[i] < low)
            {
                low = live[i];
                at = i;
            }
        }

        return at;
    }

    private static GrowthDecision DecideWhole(ReadOnlySpan<long> live, long allowancePerIteration)
    {
        var n = live.Length;
        if (n < 3)
        {
            return new GrowthDecision(GrowthKind.Inconclusive, 0, 1, 0, 0);
        }

        var segments = Math.Min(SegmentCount, n);
        Span<long> floor = stackalloc long[segments];
        Span<int> start = stackalloc int[segments];
        for (var j = 0; j < segments; j++)
        {
            start[j] = j * n / segments;
            var end = (j + 1) * n / segments;
            var min = long.MaxValue;
            for (var i = start[j]; i < end; i++)
            {
                min = Math.Min(min, live[i]);
            }

            floor[j] = min;
        }

        var span = start[segments - 1] - start[0];
        var slope = (double)(floor[segments - 1] - floor[0]) / span;
        var segmentLength = n / segments;
        var rises = 0;
        var falls = 0;
        for (var j = 1; j < segments; j++)
        {
            if (floor[j] - floor[j - 1] > allowancePerIteration * (long)(start[j] - start[j - 1]))
            {
                rises++;
            }
            else if (floor[j] < floor[j - 1])
            {
                falls++;
            }
        }

        // A rise after the last segment's floor (a step in the last segment, a leak that began late) is a rise like any
        // other: the last floor hides it, and the last reading (settled by the caller) does not.
        var lastFloorAt = start[segments - 1];
        for (var i = lastFloorAt; i < n; i++)
        {
            if (live[i] == floor[segments - 1])
            {
                lastFloorAt = i;
            }
        }

        var risesAtEnd = live[n - 1] - floor[segments - 1] > allowancePerIteration * (long)(n - 1 - lastFloorAt);

        if (slope <= allowancePerIteration)
        {
            // No growth from first to last; but a floor that rose somewhere in between may be a small leak masked by
            // the heap shrinking elsewhere (what earlier code left behind being freed), and so may a floor that fell
            // from every segment to the next (another thread freeing as fast as the code leaks), and so may a rise at
            // the end: look longer before saying no. One segment with a level floor is a witness that nothing was
            // retained in it.
            var masked = rises > 0 || falls == segments - 1 || risesAtEnd;
            return new GrowthDecision(masked ? GrowthKind.Inconclusive : GrowthKind.NoGrowth, Math.Max(0, slope), segmentLength, rises, segments);
        }

        var kind = rises == segments - 1 ? GrowthKind.Growth : GrowthKind.Inconclusive;
        return new GrowthDecision(kind, slope, segmentLength, rises, segments);
    }
}
