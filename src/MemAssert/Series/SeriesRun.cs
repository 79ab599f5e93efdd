namespace MemoryAssertions.Series;

/// <summary>The series stage's result: the live-bytes readings and the growth rule's decision on them.</summary>
/// <param name="Live">Live bytes after the warm-up, then after each iteration (longer than <see cref="Done"/> + 1).</param>
/// <param name="Done">Measured iterations.</param>
/// <param name="Decision">The growth rule's decision on the series.</param>
/// <param name="Pass">The passing outcome when the series settles the check, or null when growth is sustained and must be confirmed on the heap.</param>
internal sealed record SeriesResult(long[] Live, int Done, GrowthDecision Decision, CheckOutcome? Pass)
{
    public long[] Readings => Live.AsSpan(0, Done + 1).ToArray();
}

/// <summary>
/// The series stage: the warm-up, then iterations with a live-heap reading after each, extended (doubling) while the
/// growth rule is inconclusive, up to <see cref="LeakOptions.MaxIterations"/>; growth must be seen twice (at two run
/// lengths) before it is confirmed on the heap.
/// </summary>
internal static class SeriesRun
{
    public static async ValueTask<SeriesResult> MeasureAsync(Func<ValueTask> body, LeakOptions options, Func<long> readLiveHeap, CancellationToken cancellationToken)
    {
        var max = options.EffectiveMaxIterations;

        // Allocated up front so that the series itself never grows the heap it measures: room for a run restarted by a
        // drop (below), which may go on for up to twice the maximum.
        var live = new long[(2 * max) + 1];

        for (var i = 0; i < options.Warmup; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await body().ConfigureAwait(false);
        }

        // The baseline: settled until it stops shrinking, so that what earlier code left to finalizers (which can free
        // more on each round) does not shrink the heap during the run and hide a leak.
        live[0] = readLiveHeap();
        for (var round = 0; round < 4; round++)
        {
            var again = readLiveHeap();
            if (again >= live[0])
            {
                break;
            }

            live[0] = again;
        }

        var done = 0;
        var target = options.Iterations;
        var growthSeen = false;
        while (true)
        {
            for (; done < target; done++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await body().ConfigureAwait(false);
                live[done + 1] = readLiveHeap();
            }

            SettleLast(live.AsSpan(0, done + 1), readLiveHeap);
            var decision = GrowthRule.Decide(live.AsSpan(0, done + 1), options.MaxGrowthPerIteration, options.Iterations + 1);
            if (decision.Kind == GrowthKind.NoGrowth)
            {
                return new SeriesResult(live, done, decision, CheckOutcome.NoGrowth);
            }

            if (done >= max)
            {
                var restartedAt = Math.Min(2 * options.EffectiveMaxIterations, decision.From + options.EffectiveMaxIterations);
                if (decision.Kind == GrowthKind.Inconclusive && decision.From > 0 && done < restartedAt)
                {
                    // The heap dropped below its baseline (memory held from before the run was freed) and the run is
                    // judged from there; that part has not had a whole run's room yet. The run restarted at the drop,
                    // so it may go on for up to MaxIterations after it (at most twice MaxIterations in all).
                    max = restartedAt;
                    target = Math.Min(max, done * 2);
                    continue;
                }

                return new SeriesResult(live, done, decision, decision.Kind == GrowthKind.Inconclusive ? CheckOutcome.GrowthNotSustained : null);
            }

            if (decision.Kind == GrowthKind.Growth && growthSeen)
            {
                return new SeriesResult(live, done, decision, null);
            }

            growthSeen |= decision.Kind == GrowthKind.Growth;
            target = Math.Min(max, done * 2);
        }
    }

    /// <summary>
    /// The growth rule reads a rise after the last segment's floor as unexplained. The last reading has no later one to
    /// tell a retained rise from bytes another thread held at the instant of its GC, so when it stands above the last
    /// quarter's floor it is read again, without a call between, while that lowers it (at most twice).
    /// </summary>
    internal static void SettleLast(Span<long> live, Func<long> readLiveHeap)
    {
        var last = live.Length - 1;
        var floor = long.MaxValue;
        foreach (var value in live[((GrowthRule.SegmentCount - 1) * live.Length / GrowthRule.SegmentCount)..])
        {
            floor = Math.Min(floor, value);
        }

        for (var again = 0; again < 2 && live[last] > floor; again++)
        {
            var reading = readLiveHeap();
            if (reading >= live[last])
            {
                return;
            }

            live[last] = reading;
        }
    }
}
