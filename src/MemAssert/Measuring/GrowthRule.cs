namespace MemoryAssertions.Measuring;

/// <summary>What the live-bytes series says.</summary>
internal enum GrowthKind
{
    /// <summary>The floor of the live heap did not rise (beyond the allowance) from the first segment to the last.</summary>
    NoGrowth,

    /// <summary>The floor rose in every segment: growth is sustained.</summary>
    Growth,

    /// <summary>The floor rose, but not in every segment: growth that stopped (a cache filled) or a leak sparser than a segment.</summary>
    Inconclusive,
}

/// <summary>A verdict on a live-bytes series.</summary>
/// <param name="Kind">The verdict.</param>
/// <param name="BytesPerIteration">Fitted growth of the floor per iteration.</param>
/// <param name="SegmentLength">Iterations per segment: the spacing at which growth was seen in every segment.</param>
/// <param name="Rises">Segments (after the first) whose floor rose beyond the allowance.</param>
/// <param name="Segments">How many segments the series was cut into.</param>
internal readonly record struct GrowthDecision(GrowthKind Kind, double BytesPerIteration, int SegmentLength, int Rises, int Segments);

/// <summary>
/// The decision rule. The series (live bytes after the warm-up, then after each iteration) is cut into four equal
/// segments and each segment is summarised by its minimum, its floor. Noise from other threads only ever adds live
/// bytes at the instant of a GC, so the floor is what the code under test retains. Growth is sustained when the floor
/// rises from every segment to the next; it is absent when no floor rises above the one before it and at least one
/// floor is level with the one before (a heap that shrinks in every segment could be hiding a leak); anything in
/// between (it rose, then stopped, or it rose in steps further apart than a segment) is inconclusive, and the caller
/// extends the run. A leak that adds something every P-th call rises in every segment once segments are P long.
/// </summary>
internal static class GrowthRule
{
    public const int SegmentCount = 4;

    public static GrowthDecision Decide(ReadOnlySpan<long> live, long allowancePerIteration)
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

        if (slope <= allowancePerIteration)
        {
            // No growth from first to last; but a floor that rose somewhere in between may be a small leak masked by
            // the heap shrinking elsewhere (what earlier code left behind being freed), and so may a floor that fell
            // from every segment to the next (another thread freeing as fast as the code leaks): look longer before
            // saying no. One segment with a level floor is a witness that nothing was retained in it.
            var masked = rises > 0 || falls == segments - 1;
            return new GrowthDecision(masked ? GrowthKind.Inconclusive : GrowthKind.NoGrowth, Math.Max(0, slope), segmentLength, rises, segments);
        }

        var kind = rises == segments - 1 ? GrowthKind.Growth : GrowthKind.Inconclusive;
        return new GrowthDecision(kind, slope, segmentLength, rises, segments);
    }
}
