namespace MemoryAssertions.Tests.Measuring;

/// <summary>
/// Which types the heap confirmation counts as growing with the calls, on type counts in its four snapshots (after K
/// calls, K more calls, K full GCs without calls, K calls again), and when it asks for a second confirmation.
/// </summary>
public sealed class ConfirmationRuleTests
{
    private const string Key = "T";

    private static (TypeDelta? Delta, bool Irregular) Judge(params long[] counts) =>
        LeakRun.GrowsWithCalls(Key, counts.Select(c => new Dictionary<string, TypeStatistic> { [Key] = new(Key, c, c * 24) }).ToArray());

    [Theory]
    [InlineData(100, 110, 110, 120)] // one object per call, K = 10
    [InlineData(100, 101, 101, 102)] // one object every tenth call
    [InlineData(100, 101, 101, 103)] // every tenth call, the intervals catching one and two of them
    [InlineData(100, 140, 140, 170)] // a varying number per call: 40 and 30 (within a quarter)
    public void A_leak_repeated_by_the_same_calls_grows_regularly(long s0, long s1, long s2, long s3)
    {
        var (delta, irregular) = Judge(s0, s1, s2, s3);
        Assert.NotNull(delta);
        Assert.Equal(s3 - s2 + s1 - s0, delta.CountDelta);
        Assert.False(irregular);
    }

    [Theory]
    [InlineData(10, 14, 15, 52)] // random numbers of arrays held on another thread's stack: +4, +1, +37
    [InlineData(10, 40, 41, 45)] // +30, +1, +4
    [InlineData(100, 102, 102, 106)] // +2, 0, +4: more than one apart
    public void A_type_that_grows_by_very_different_counts_in_the_two_call_intervals_is_irregular(long s0, long s1, long s2, long s3)
    {
        var (delta, irregular) = Judge(s0, s1, s2, s3);
        Assert.NotNull(delta);
        Assert.True(irregular);
    }

    [Theory]
    [InlineData(100, 110, 120, 130)] // grows with time: the control grew as much
    [InlineData(100, 110, 110, 110)] // grew in one call interval only
    [InlineData(100, 90, 90, 80)] // shrinks
    public void A_type_that_does_not_grow_with_the_calls_is_not_counted(long s0, long s1, long s2, long s3)
    {
        var (delta, irregular) = Judge(s0, s1, s2, s3);
        Assert.Null(delta);
        Assert.False(irregular);
    }

    [Fact]
    public void Growth_in_place_is_judged_by_bytes_and_never_irregular()
    {
        // One List<T> whose array doubles: its count stays, its bytes jump by different amounts.
        var stats = new[] { 1_000L, 2_000, 2_000, 4_000 }
            .Select(b => new Dictionary<string, TypeStatistic> { [Key] = new(Key, 1, b) })
            .ToArray();
        var (delta, irregular) = LeakRun.GrowsWithCalls(Key, stats);
        Assert.NotNull(delta);
        Assert.Equal(3_000, delta.BytesDelta);
        Assert.False(irregular);
    }

    [Fact]
    public void A_second_confirmation_is_taken_when_the_first_one_is_weak_evidence()
    {
        TypeDelta Grew(long count) => new(Key, 100, 2_400, count, count * 24);

        // One object per call or more, one or two types: enough.
        Assert.False(LeakRun.NeedsSecondConfirmation([Grew(10)], 5, threadPoolChanged: false, irregular: false));
        Assert.False(LeakRun.NeedsSecondConfirmation([Grew(10), Grew(2)], 5, threadPoolChanged: false, irregular: false));

        // Fewer objects than calls in every growing type (from a full run: a TimerQueueTimer +1 in each 5-call interval,
        // put there by other tests' timers); the thread pool changed; many types; irregular growth.
        Assert.True(LeakRun.NeedsSecondConfirmation([Grew(2), Grew(2)], 5, threadPoolChanged: false, irregular: false));
        Assert.True(LeakRun.NeedsSecondConfirmation([Grew(10)], 5, threadPoolChanged: true, irregular: false));
        Assert.True(LeakRun.NeedsSecondConfirmation([Grew(10), Grew(10), Grew(10)], 5, threadPoolChanged: false, irregular: false));
        Assert.True(LeakRun.NeedsSecondConfirmation([Grew(10)], 5, threadPoolChanged: false, irregular: true));

        // Nothing grew: nothing to confirm.
        Assert.False(LeakRun.NeedsSecondConfirmation([], 5, threadPoolChanged: true, irregular: true));
    }
}
