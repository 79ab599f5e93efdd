using MemoryAssertions.Series;

namespace MemoryAssertions;

/// <summary>
/// The decision rule of <see cref="MemAssert.NoLeak"/> on its own, for tools that measure the live heap themselves
/// (such as the BenchmarkDotNet diagnoser): does a series of live-heap sizes show sustained growth?
/// </summary>
public static class GrowthAnalysis
{
    /// <summary>
    /// Reads the live heap as <see cref="MemAssert.NoLeak"/> does after each call: a forced, blocking, compacting full
    /// GC, the pending finalizers, and a second full GC when the first found objects to finalize; then the bytes that
    /// survived (<see cref="GCMemoryInfo.PromotedBytes"/>). Process-wide, and it costs full GCs: one reading per
    /// iteration, never inside a timed region.
    /// </summary>
    /// <returns>The live bytes of the managed heap.</returns>
    public static long ReadLiveHeap() => LiveHeap.Settle();

    /// <summary>
    /// Judges a series of live-heap sizes in bytes, each read after a full GC: the first before the measured calls,
    /// then one after each call (or each group of calls). The series is cut into four segments; growth is sustained
    /// when the floor (minimum) of every segment is higher than the previous one, and absent when the last floor is no
    /// higher than the first. Growth that stops, or steps sparser than a quarter of the series, is inconclusive. When the
    /// series fell below its first value (memory freed elsewhere) and is otherwise inconclusive, the part from its last
    /// new low on is judged the same way, if it holds at least half the values.
    /// </summary>
    /// <param name="liveBytes">At least 3 values.</param>
    /// <param name="maxGrowthPerIteration">Growth per step, in bytes, that is tolerated.</param>
    /// <exception cref="ArgumentNullException"><paramref name="liveBytes"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 3 values, or a negative allowance.</exception>
    public static GrowthVerdict Analyze(IReadOnlyList<long> liveBytes, long maxGrowthPerIteration = 0)
    {
        ArgumentNullException.ThrowIfNull(liveBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(liveBytes.Count, 3, nameof(liveBytes) + ".Count");
        ArgumentOutOfRangeException.ThrowIfNegative(maxGrowthPerIteration);
        var values = liveBytes.ToArray();
        var decision = GrowthRule.Decide(values, maxGrowthPerIteration, minimumJudged: (values.Length + 1) / 2);
        return new GrowthVerdict(
            decision.Kind == GrowthKind.Growth,
            decision.Kind == GrowthKind.NoGrowth ? 0 : decision.BytesPerIteration,
            decision.Kind);
    }
}

/// <summary>What the live-bytes series says.</summary>
public enum GrowthKind
{
    /// <summary>The floor of the live heap did not rise (beyond the allowance) from the first segment to the last.</summary>
    NoGrowth,

    /// <summary>The floor rose in every segment: growth is sustained.</summary>
    Growth,

    /// <summary>The floor rose, but not in every segment: growth that stopped (a cache filled) or a leak sparser than a segment.</summary>
    Inconclusive,
}

/// <summary>What <see cref="GrowthAnalysis.Analyze"/> found.</summary>
/// <param name="IsGrowing">True when the growth is sustained: every segment's floor rose.</param>
/// <param name="BytesPerIteration">Fitted growth of the floor per step, 0 when it did not grow.</param>
/// <param name="Kind">What the series says: no growth, sustained growth, or inconclusive (it rose, but not in every segment).</param>
public sealed record GrowthVerdict(bool IsGrowing, double BytesPerIteration, GrowthKind Kind);
