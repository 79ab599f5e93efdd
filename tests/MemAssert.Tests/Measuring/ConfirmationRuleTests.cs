using MemoryAssertions.Confirmation;

namespace MemoryAssertions.Tests.Measuring;

/// <summary>
/// Which path groups the heap confirmation counts as growing with the calls, on their counts in its four snapshots
/// (after K calls, K more calls, K full GCs without calls, K calls again), and when it asks for a second confirmation.
/// </summary>
public sealed class ConfirmationRuleTests
{
    private static (GroupGrowth? Delta, bool Irregular) Judge(params long[] counts)
    {
        var growth = ConfirmationRule.GrowsWithCalls(7, counts, counts.Select(c => c * 24).ToArray());
        return (growth, growth?.Irregular ?? false);
    }

    [Theory]
    [InlineData(100, 110, 110, 120)] // one object per call, K = 10
    [InlineData(100, 101, 101, 102)] // one object every tenth call
    [InlineData(100, 101, 101, 103)] // every tenth call, the intervals catching one and two of them
    [InlineData(100, 140, 140, 170)] // a varying number per call: 40 and 30 (within a quarter)
    public void A_leak_repeated_by_the_same_calls_grows_regularly(long s0, long s1, long s2, long s3)
    {
        var (delta, irregular) = Judge(s0, s1, s2, s3);
        Assert.NotNull(delta);
        Assert.Equal(s3 - s2 + s1 - s0, delta.Value.CountDelta);
        Assert.Equal(7, delta.Value.Group);
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
        var delta = ConfirmationRule.GrowsWithCalls(1, [1, 1, 1, 1], [1_000L, 2_000, 2_000, 4_000]);
        Assert.NotNull(delta);
        Assert.Equal(3_000, delta.Value.BytesDelta);
        Assert.False(delta.Value.ByCount);
        Assert.False(delta.Value.Irregular);
    }

    [Theory]
    [InlineData(1_000, 3_000, 2_500, 6_000)] // a buffer of random size on another thread's stack, caught by each snapshot
    [InlineData(1_000, 3_000, 3_100, 6_000)] // the same, rising a little in the control
    public void A_group_whose_bytes_change_without_the_calls_does_not_grow_in_place(long s0, long s1, long s2, long s3)
    {
        // Its count stays at one; its bytes rise in both call intervals, but they moved in the control too.
        Assert.Null(ConfirmationRule.GrowsWithCalls(1, [1, 1, 1, 1], [s0, s1, s2, s3]));
    }

    [Fact]
    public void A_second_confirmation_is_taken_when_the_first_one_is_weak_evidence()
    {
        GroupGrowth Grew(long count, bool irregular = false) => new(1, count, count * 24, ByCount: true, irregular);

        // One object per call or more, in one or two leaks (a leak of one object per call owning one more every other
        // call): enough.
        Assert.False(ConfirmationRule.NeedsSecondConfirmation([Grew(10)], [[10]], 5, threadPoolChanged: false));
        Assert.False(ConfirmationRule.NeedsSecondConfirmation([Grew(10), Grew(2)], [[10, 2]], 5, threadPoolChanged: false));
        Assert.False(ConfirmationRule.NeedsSecondConfirmation([Grew(10), Grew(10)], [[10], [10]], 5, threadPoolChanged: false));

        // A leak that grew by fewer objects than calls in all its groups, alone or beside a strong one (from full runs:
        // a TimerQueueTimer or a Task.Delay promise +1 in a 10-call interval, put there by other tests' timers); the
        // thread pool changed; many leaks; irregular growth.
        Assert.True(ConfirmationRule.NeedsSecondConfirmation([Grew(2), Grew(2)], [[2, 2]], 5, threadPoolChanged: false));
        Assert.True(ConfirmationRule.NeedsSecondConfirmation([Grew(20), Grew(2)], [[20], [2]], 10, threadPoolChanged: false));
        Assert.True(ConfirmationRule.NeedsSecondConfirmation([Grew(10)], [[10]], 5, threadPoolChanged: true));
        Assert.True(ConfirmationRule.NeedsSecondConfirmation([Grew(10), Grew(10), Grew(10)], [[10], [10], [10]], 5, threadPoolChanged: false));
        Assert.True(ConfirmationRule.NeedsSecondConfirmation([Grew(10, irregular: true)], [[10]], 5, threadPoolChanged: false));

        // Nothing grew: nothing to confirm.
        Assert.False(ConfirmationRule.NeedsSecondConfirmation([], [], 5, threadPoolChanged: true));
    }
}
