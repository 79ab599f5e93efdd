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
/// Checks in one process run one at a time: the live heap is process-wide, so two checks measuring at once would
/// see each other's bytes.
/// </remarks>
internal sealed class LeakRun
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>Set while a check runs its delegate: a check started from inside one would wait for itself.</summary>
    private static readonly AsyncLocal<bool> InsideCheck = new();

    private readonly LeakOptions _options;
    private readonly string _expression;
    private readonly CheckEnvironment _environment;

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
        ThrowIfNested();
        Gate.Wait(cancellationToken);
        try
        {
            InsideCheck.Value = true;
            // A synchronous body completes every ValueTask synchronously, so this never blocks on a continuation.
            var task = RunCore(
                action,
                () =>
                {
                    action();
                    return ValueTask.CompletedTask;
                },
                cancellationToken);
            Debug.Assert(task.IsCompleted, "a synchronous body runs to completion synchronously");
            return task.GetAwaiter().GetResult();
        }
        finally
        {
            InsideCheck.Value = false;
            Gate.Release();
        }
    }

    public async Task<LeakReport> RunAsync(Func<Task> action, CancellationToken cancellationToken)
    {
        ThrowIfNested();
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            InsideCheck.Value = true;
            return await RunCore(
                    action,
                    () => new ValueTask(action() ?? throw new InvalidOperationException("The delegate returned a null Task.")),
                    cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            InsideCheck.Value = false;
            Gate.Release();
        }
    }

    private static void ThrowIfNested()
    {
        if (InsideCheck.Value)
        {
            throw new InvalidOperationException(
                "A MemAssert check was started from inside the code another check is measuring. Checks cannot be nested: " +
                "the live heap is measured process-wide, so the inner check would wait for the outer one forever.");
        }
    }

    /// <param name="code">The caller's delegate, as given.</param>
    /// <param name="body">One call of it.</param>
    /// <param name="cancellationToken">Observed between calls.</param>
    private async ValueTask<LeakReport> RunCore(Delegate code, Func<ValueTask> body, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var series = await SeriesRun.MeasureAsync(body, _options, _environment.ReadLiveHeap, cancellationToken).ConfigureAwait(false);
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

            return new Confirmed(
                findings.Leaks.Length == 0 ? CheckOutcome.GrewElsewhere : CheckOutcome.Leak, attempt.Route, attempt.Fallback, attempt.LiveUnavailableReason, null, confirmations, findings, attempt.Second);
        }

        throw new UnreachableException("the plan of attempts always ends in a report");
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
        bool Second = false);

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
            RetentionPaths = leaks.Take(_options.MaxRetentionPaths).Select(l => l.Leaked.Path).ToArray(),
            SnapshotRoute = confirmed.Route,
            RouteFallback = confirmed.Fallback,
            LiveRouteUnavailableReason = confirmed.LiveUnavailableReason,
            SnapshotsUnavailableReason = confirmed.UnavailableReason,
            KeptFiles = log.Kept.ToArray(),
            GroupBy = _options.GroupBy,
            Elapsed = stopwatch.Elapsed,
            SnapshotsElapsed = log.Time.Elapsed,
        };
    }
}
