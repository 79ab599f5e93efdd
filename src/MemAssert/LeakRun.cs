using System.Diagnostics;
using System.Runtime.InteropServices;
using MemoryAssertions.Confirmation;
using MemoryAssertions.Series;

namespace MemoryAssertions;

/// <summary>
/// One leak check, as a driver of its stages: the series (<see cref="SeriesRun"/>), then, when growth is sustained, heap
/// confirmations (<see cref="HeapConfirmation"/>, judged by <see cref="Attribution"/>) following a plan of attempts, then
/// the typed outcome (<see cref="LeakReport"/>), whose text <see cref="Reporting.ReportBuilder"/> writes.
/// </summary>
/// <remarks>
/// Checks in one process run one at a time, under <see cref="CheckGate"/>: the live heap is process-wide, so two checks
/// measuring at once would see each other's bytes.
/// </remarks>
internal sealed class LeakRun
{
    private readonly LeakOptions _options;
    private readonly string _expression;
    private readonly CheckEnvironment _environment;

    /// <summary>Calls made so far, warm-up included; and whether the series is over (later calls are the confirmation's).</summary>
    private int _calls;
    private int _seriesIterations = -1;

    /// <summary>Time spent inside calls so far (<see cref="Stopwatch"/> ticks).</summary>
    private long _callTime;

    public LeakRun(LeakOptions options, string? expression, CheckEnvironment? environment = null)
    {
        options.Validate();
        _options = options;
        _expression = string.IsNullOrWhiteSpace(expression) ? "code" : expression.Trim();
        _environment = environment ?? CheckEnvironment.Process;
    }

    /// <summary>One heap confirmation to take: on which route, whether it is the second, and why the route changed.</summary>
    private readonly record struct Attempt(SnapshotRoute Route, bool Second, RouteFallback Fallback, string? LiveUnavailableReason);

    public LeakReport RunSync(Action action, CancellationToken cancellationToken)
    {
        CheckGate.ThrowIfNested();
        return CheckGate.Run(
            () =>
            {
                // A synchronous body completes every ValueTask synchronously, so this never blocks on a continuation.
                var task = RunCore(
                    action,
                    () =>
                    {
                        BeginCall();
                        try
                        {
                            action();
                        }
                        finally
                        {
                            EndCall();
                        }

                        return ValueTask.CompletedTask;
                    },
                    cancellationToken);
                Debug.Assert(task.IsCompleted, "a synchronous body runs to completion synchronously");
                return task.GetAwaiter().GetResult();
            },
            cancellationToken);
    }

    public Task<LeakReport> RunAsync(Func<Task> action, CancellationToken cancellationToken)
    {
        CheckGate.ThrowIfNested();
        return CheckGate.RunAsync(() => RunCore(action, () => CallAsync(action, cancellationToken), cancellationToken).AsTask(), cancellationToken);
    }

    /// <summary>
    /// One call of an asynchronous delegate, bounded: its task must complete within
    /// <see cref="LeakOptions.IterationTimeout"/>, and <paramref name="cancellationToken"/> ends the wait.
    /// </summary>
    private async ValueTask CallAsync(Func<Task> action, CancellationToken cancellationToken)
    {
        var call = BeginCall();
        try
        {
            var task = action() ?? throw new InvalidOperationException("The delegate returned a null Task.");
            if (!task.IsCompleted)
            {
                try
                {
                    await task.WaitAsync(_options.IterationTimeout, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException) when (!task.IsCompleted)
                {
                    throw new TimeoutException(
                        $"`{_expression}`: {DescribeCall(call)} did not complete within {_options.IterationTimeout.TotalSeconds:0.###} s " +
                        "(LeakOptions.IterationTimeout). The check was abandoned; the call's task is left running.");
                }
            }

            await task.ConfigureAwait(false);
        }
        finally
        {
            EndCall();
        }
    }

    private void EndCall() => _callTime += CheckGate.EndCall();

    /// <summary>Counts a call and publishes it to operations waiting for the gate. Returns its number (1-based, warm-up included).</summary>
    private int BeginCall()
    {
        CheckGate.BeginCall(_options.IterationTimeout, _expression);
        return ++_calls;
    }

    /// <summary>Where in the check call <paramref name="call"/> is, for a message.</summary>
    private string DescribeCall(int call)
    {
        var warmup = _options.Warmup;
        if (call <= warmup)
        {
            return $"warm-up call {call} of {warmup}";
        }

        return _seriesIterations < 0
            ? $"iteration {call - warmup}"
            : $"call {call - warmup - _seriesIterations} of the heap confirmation (after {_seriesIterations} iterations)";
    }

    /// <param name="code">The caller's delegate, as given.</param>
    /// <param name="body">One call of it.</param>
    /// <param name="cancellationToken">Observed between calls.</param>
    private async ValueTask<LeakReport> RunCore(Delegate code, Func<ValueTask> body, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var series = await SeriesRun.MeasureAsync(body, _options, _environment.ReadLiveHeap, cancellationToken).ConfigureAwait(false);
        _seriesIterations = series.Done;
        var log = new SnapshotLog();
        if (series.Pass is { } passed)
        {
            return Report(new Confirmed(passed, null, RouteFallback.None, null, null, 0, null), series, log, stopwatch);
        }

        // The caller's delegate is held by a handle while the heap is confirmed: what its closure keeps is then reachable
        // from a root the live route sees (it sees no stacks), not only from this thread's stack. The caller's own
        // delegate, not MemAssert's wrapper around it: a snapshot neither counts nor follows MemAssert's objects.
        var pin = GCHandle.Alloc(code);
        try
        {
            var confirmed = await ConfirmAsync(body, series, log, cancellationToken).ConfigureAwait(false);
            return Report(confirmed, series, log, stopwatch);
        }
        finally
        {
            pin.Free();
        }
    }

    /// <summary>
    /// The plan of attempts. The first confirmation is on the preferred route. Then, in order: a live route that is
    /// unavailable under <see cref="SnapshotRoute.Auto"/> gives way to the dump route (the same confirmation again);
    /// weak evidence asks for a second confirmation on the same route, in which only what grew in the first counts;
    /// live confirmations that end with no leak under <see cref="SnapshotRoute.Auto"/> (nothing grew, or nothing grew
    /// again in a second) are confirmed afresh on the dump route, which sees thread stacks.
    /// </summary>
    private async ValueTask<Confirmed> ConfirmAsync(Func<ValueTask> body, SeriesResult series, SnapshotLog log, CancellationToken cancellationToken)
    {
        var auto = _options.Snapshots == SnapshotRoute.Auto;
        var plan = new Queue<Attempt>();
        var first = auto ? _environment.PreferredRoute(_options.KeepSnapshotsIn) : _options.Snapshots;

        // Auto on the dump route because the live route is unavailable here (another platform, a runtime without static
        // slots): the report says so, as it does when the live route fails during a check.
        var notTaken = auto && first == SnapshotRoute.Dump ? _environment.LiveNotTakenReason?.Invoke(_options.KeepSnapshotsIn) : null;
        plan.Enqueue(new Attempt(first, Second: false, notTaken is null ? RouteFallback.None : RouteFallback.LiveUnavailable, notTaken));
        var k = Math.Max(1, series.Decision.SegmentLength);
        var shapes = new PathShapes();
        HashSet<int>? grewInFirst = null;
        var confirmations = 0;
        while (plan.TryDequeue(out var attempt))
        {
            Evidence evidence;
            try
            {
                if (attempt.Route == SnapshotRoute.None)
                {
                    throw new SnapshotUnavailableException("snapshots were turned off (LeakOptions.Snapshots = None).");
                }

                evidence = await HeapConfirmation.TakeAsync(body, attempt.Route, k, _options, _environment, shapes, log, cancellationToken).ConfigureAwait(false);
            }
            catch (SnapshotUnavailableException ex)
            {
                if (auto && attempt.Route == SnapshotRoute.Live)
                {
                    plan.Enqueue(attempt with { Route = SnapshotRoute.Dump, Fallback = RouteFallback.LiveUnavailable, LiveUnavailableReason = ex.Message });
                    continue;
                }

                // Transient: snapshots work here, but not now (a GC in progress in every try, or the heap could not be held
                // still while other threads allocated). A busy process is also a noisy one, so live bytes alone do not fail
                // the check. Otherwise the live-bytes verdict stands, and the report says why there is no diff.
                return new Confirmed(
                    ex.IsTransient ? CheckOutcome.SnapshotsBusy : CheckOutcome.LeakUnconfirmed, null, attempt.Fallback, attempt.LiveUnavailableReason, ex.Message, confirmations, null);
            }

            confirmations++;
            var findings = Attribution.Evaluate(shapes, evidence.Snapshots, k, evidence.ThreadPoolChanged, grewInFirst);
            if (!attempt.Second && findings.NeedsSecond)
            {
                grewInFirst = findings.Growing.Select(g => g.Group).ToHashSet();
                plan.Enqueue(attempt with { Second = true });
                continue;
            }

            if (findings.Leaks.Length == 0 && auto && attempt.Route == SnapshotRoute.Live)
            {
                // Whether nothing grew at all or what grew in a first confirmation did not grow again: the live route is
                // blind to thread stacks, so its "nothing" is not evidence. The dump route confirms afresh.
                grewInFirst = null;
                plan.Enqueue(attempt with { Route = SnapshotRoute.Dump, Second = false, Fallback = RouteFallback.LiveSawNoGrowth });
                continue;
            }

            if (findings.Leaks.Length == 0)
            {
                return new Confirmed(CheckOutcome.GrewElsewhere, attempt.Route, attempt.Fallback, attempt.LiveUnavailableReason, null, confirmations, findings, attempt.Second);
            }

            var (remaining, stopped, followCalls, followedGroups) = await FollowAsync(body, attempt.Route, evidence, findings, shapes, log, cancellationToken).ConfigureAwait(false);
            return new Confirmed(
                remaining.Leaks.Length == 0 ? CheckOutcome.GrowthStopped : CheckOutcome.Leak,
                attempt.Route,
                attempt.Fallback,
                attempt.LiveUnavailableReason,
                null,
                confirmations,
                remaining,
                attempt.Second,
                stopped,
                followCalls,
                followedGroups);
        }

        throw new UnreachableException("the plan of attempts always ends in a report");
    }

    /// <summary>Calls a confirmed leak is followed for at most, and the time and bytes that following may cost at most.</summary>
    internal const long MaxFollowCalls = 4_096;

    private static readonly TimeSpan FollowTime = TimeSpan.FromSeconds(2);

    private const long FollowBytes = 32L << 20;

    /// <summary>
    /// Follows the leaks a confirmation found for up to <see cref="MaxFollowCalls"/> more calls (within
    /// <see cref="FollowTime"/> at the calls' mean duration so far, and <see cref="FollowBytes"/> at the leak's bytes per
    /// call), then takes one more snapshot: a leak grows on at its rate, a bounded cache stops at its bound
    /// (<see cref="ConfirmationRule.StoppedGrowing"/>). A snapshot that cannot be taken leaves the findings as they are.
    /// </summary>
    private async ValueTask<(Findings Remaining, LeakedObject[] Stopped, long FollowCalls, List<FollowedGrowth> Followed)> FollowAsync(
        Func<ValueTask> body, SnapshotRoute route, Evidence evidence, Findings findings, PathShapes shapes, SnapshotLog log, CancellationToken cancellationToken)
    {
        var calls = MaxFollowCalls;
        if (_callTime > 0 && _calls > 0)
        {
            calls = Math.Min(calls, (long)(FollowTime.TotalSeconds * Stopwatch.Frequency * _calls / _callTime));
        }

        if (findings.BytesPerCall > 0)
        {
            calls = Math.Min(calls, (long)(FollowBytes / findings.BytesPerCall));
        }

        // Worth following only if some group would show its rate over these calls.
        if (!findings.Growing.Any(g => ConfirmationRule.StoppedGrowing(g, findings.Calls, calls, 0) is not null))
        {
            return (findings, [], 0, []);
        }

        SnapshotCounts followed;
        try
        {
            followed = await HeapConfirmation.FollowAsync(body, route, calls, _options, _environment, shapes, log, cancellationToken).ConfigureAwait(false);
        }
        catch (SnapshotUnavailableException)
        {
            return (findings, [], 0, []);
        }

        // A path is judged by its holder group (its root and type, any path): a leak whose objects move between paths (a
        // ConcurrentBag's per-thread queues) grows on in its holder group while one of its paths stops. And by its type's
        // instances: objects that come to be reached from another root grow on there.
        var last = evidence.Snapshots[^1];
        var stopped = new HashSet<int>();
        var report = new List<FollowedGrowth>();
        foreach (var g in findings.Growing)
        {
            var shape = shapes[g.Group];
            var judged = shape.IsHolderGroup ? g.Group : shapes.HolderOf(g.Group) is >= 0 and var holder ? holder : g.Group;
            var grew = ConfirmationRule.Grew(
                g,
                followed.Count(judged) - last.Count(judged),
                followed.Bytes(judged) - last.Bytes(judged),
                followed.Instances.GetValueOrDefault(shape.TypeName) - last.Instances.GetValueOrDefault(shape.TypeName));
            var verdict = ConfirmationRule.StoppedGrowing(g, findings.Calls, calls, grew);
            if (verdict == true)
            {
                stopped.Add(g.Group);
            }

            if (verdict is not null)
            {
                report.Add(new FollowedGrowth(shape.TypeName, shapes[shape.Root].Step, g.ByCount, grew, ConfirmationRule.Predicted(g, findings.Calls, calls), verdict.Value));
            }
        }

        if (stopped.Count == 0)
        {
            return (findings, [], calls, report);
        }

        var (remaining, gone) = Attribution.WithoutStopped(shapes, findings, last, stopped);
        return (remaining, gone, calls, report);
    }

    /// <summary>How the confirmation stage ended: the outcome, the route, and the findings of the confirmation reported.</summary>
    private sealed record Confirmed(
        CheckOutcome Outcome,
        SnapshotRoute? Route,
        RouteFallback Fallback,
        string? LiveUnavailableReason,
        string? UnavailableReason,
        int Confirmations,
        Findings? Findings,
        bool Second = false,
        LeakedObject[]? Stopped = null,
        long FollowCalls = 0,
        IReadOnlyList<FollowedGrowth>? Followed = null);

    private LeakReport Report(Confirmed confirmed, SeriesResult series, SnapshotLog log, Stopwatch stopwatch)
    {
        var leaks = confirmed.Findings?.Leaks ?? [];
        return new LeakReport
        {
            Expression = _expression,
            Outcome = confirmed.Outcome,
            Warmup = _options.Warmup,
            Iterations = series.Done,
            JudgedFrom = series.Decision.From,
            Rises = series.Decision.Rises,
            DroppedTooLate = series.Decision.From > 0 && series.Done - series.Decision.From < _options.Iterations,
            LiveBytes = series.Readings,
            GrowthPerIteration = series.Decision.Kind == GrowthKind.NoGrowth ? 0 : series.Decision.BytesPerIteration,
            BytesPerCall = leaks.Length == 0 ? 0 : confirmed.Findings!.BytesPerCall,
            SnapshotIterations = confirmed.Findings?.Calls ?? 0,
            SnapshotsTaken = log.Taken,
            Confirmations = confirmed.Confirmations,
            SecondConfirmation = confirmed.Second,
            Diff = confirmed.Findings?.Diff ?? [],
            Leaks = leaks,
            StoppedGrowing = confirmed.Stopped ?? [],
            FollowCalls = confirmed.FollowCalls,
            Followed = confirmed.Followed ?? [],
            RetentionPaths = leaks.Take(_options.MaxRetentionPaths).Select(l => l.Leaked.Path).ToArray(),
            SnapshotRoute = confirmed.Route,
            RouteFallback = confirmed.Fallback,
            LiveRouteUnavailableReason = confirmed.LiveUnavailableReason,
            SnapshotsUnavailableReason = confirmed.UnavailableReason,
            KeptFiles = log.Kept.ToArray(),
            SnapshotsNotKept = log.NotKept,
            SnapshotsNotKeptReason = log.NotKeptReason,
            GroupBy = _options.GroupBy,
            Elapsed = stopwatch.Elapsed,
            SnapshotsElapsed = log.Time.Elapsed,
        };
    }
}
