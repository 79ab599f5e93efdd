using System.Diagnostics;
using MemoryAssertions.Measuring;
using MemoryAssertions.Retention;
using MemoryAssertions.Snapshots;

namespace MemoryAssertions;

/// <summary>
/// One leak check: warm-up, measured iterations with a full GC after each, the growth decision (extending the run while
/// it is inconclusive), then heap confirmation with four snapshots (K calls, K GCs without calls, K calls), and the report.
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

    /// <summary>Runs only while snapshots are taken: the route's own cost, apart from the calls and GCs around them.</summary>
    private readonly Stopwatch _snapshotTime = new();

    /// <summary>More types than this growing with the calls at once looks like other threads' work: confirmed once more.</summary>
    private const int SuspiciousGrowingTypes = 2;

    /// <summary>The types a first confirmation found growing, when a second one was taken: a leak must grow in both.</summary>
    private HashSet<string>? _grewInFirstConfirmation;

    public LeakRun(LeakOptions options, string? expression)
    {
        options.Validate();
        _options = options;
        _expression = string.IsNullOrWhiteSpace(expression) ? "code" : expression.Trim();
    }

    public LeakReport RunSync(Action action, CancellationToken cancellationToken)
    {
        ThrowIfNested();
        Gate.Wait(cancellationToken);
        try
        {
            InsideCheck.Value = true;
            // A synchronous body completes every ValueTask synchronously, so this never blocks on a continuation.
            var task = RunCore(
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

    private async ValueTask<LeakReport> RunCore(Func<ValueTask> body, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var max = _options.EffectiveMaxIterations;

        // Allocated up front so that the series itself never grows the heap it measures: room for a run restarted by a
        // drop (below), which may go on for up to twice the maximum.
        var live = new long[(2 * max) + 1];

        for (var i = 0; i < _options.Warmup; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await body().ConfigureAwait(false);
        }

        // The baseline: settled until it stops shrinking, so that what earlier code left to finalizers (which can free
        // more on each round) does not shrink the heap during the run and hide a leak.
        live[0] = LiveHeap.Settle();
        for (var round = 0; round < 4; round++)
        {
            var again = LiveHeap.Settle();
            if (again >= live[0])
            {
                break;
            }

            live[0] = again;
        }
        var done = 0;
        var target = _options.Iterations;
        var growthSeen = false;
        GrowthDecision decision;
        while (true)
        {
            for (; done < target; done++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await body().ConfigureAwait(false);
                live[done + 1] = LiveHeap.Settle();
            }

            decision = GrowthRule.Decide(live.AsSpan(0, done + 1), _options.MaxGrowthPerIteration, _options.Iterations + 1);
            if (decision.Kind == GrowthKind.NoGrowth)
            {
                return Pass(
                    live,
                    done,
                    decision,
                    decision.From == 0 ? "the live heap did not grow" : $"the live heap did not grow over {Judged(decision, done)}",
                    stopwatch);
            }

            if (done >= max)
            {
                if (decision.Kind == GrowthKind.Inconclusive && decision.From > 0 && done < Math.Min(2 * _options.EffectiveMaxIterations, decision.From + _options.EffectiveMaxIterations))
                {
                    // The heap dropped below its baseline (memory held from before the run was freed) and the run is
                    // judged from there; that part has not had a whole run's room yet. The run restarted at the drop,
                    // so it may go on for up to MaxIterations after it (at most twice MaxIterations in all).
                    max = Math.Min(2 * _options.EffectiveMaxIterations, decision.From + _options.EffectiveMaxIterations);
                    target = Math.Min(max, done * 2);
                    continue;
                }

                if (decision.Kind == GrowthKind.Inconclusive)
                {
                    return Pass(
                        live,
                        done,
                        decision,
                        InconclusiveVerdict(decision, done),
                        stopwatch);
                }

                break;
            }

            if (decision.Kind == GrowthKind.Growth && growthSeen)
            {
                break;
            }

            growthSeen |= decision.Kind == GrowthKind.Growth;
            target = Math.Min(max, done * 2);
        }

        // The code under test is held by a handle while the heap is confirmed: what its closure keeps is then reachable
        // from a root the live route sees (it sees no stacks), not only from this thread's stack.
        var pin = System.Runtime.InteropServices.GCHandle.Alloc(body);
        try
        {
            var auto = _options.Snapshots == SnapshotRoute.Auto;
            var route = auto ? SnapshotRoutes.PreferredFor(_options.KeepSnapshotsIn) : _options.Snapshots;
            return await ConfirmOnHeap(body, live, done, decision, stopwatch, route, auto, routeNote: null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            pin.Free();
        }
    }

    private string InconclusiveVerdict(GrowthDecision decision, int done)
    {
        if (decision.From > 0 && done - decision.From < _options.Iterations)
        {
            return $"the live heap dropped below its baseline at iteration {decision.From} (memory held from before the run was freed), " +
                   $"too late for the {done - decision.From} iterations after it to show steady growth; a leak smaller than that drop would be hidden";
        }

        return decision.Rises > 0
            ? $"the live heap rose but not steadily over {Judged(decision, done)} (growth that stops, such as a cache filling, is not a leak)"
            : $"the live heap shrank through {Judged(decision, done)} (memory freed elsewhere in the process), so no steady growth was seen; a leak smaller than that shrinking would be hidden";
    }

    /// <summary>The iterations the verdict rests on: all of them, or those after the heap dropped to a new low.</summary>
    private static string Judged(GrowthDecision decision, int done) =>
        decision.From == 0
            ? $"{done} iterations"
            : $"the {done - decision.From} iterations after it dropped below its baseline at iteration {decision.From} (memory held from before the run was freed)";

    private async ValueTask<LeakReport> ConfirmOnHeap(
        Func<ValueTask> body,
        long[] live,
        int done,
        GrowthDecision decision,
        Stopwatch stopwatch,
        SnapshotRoute snapshotRoute,
        bool auto,
        string? routeNote,
        CancellationToken cancellationToken,
        int attempt = 0)
    {
        // All four snapshots come from one route: the live route sees no stack roots, so mixing routes would count
        // stack-held objects in some snapshots and not in others.
        // Four snapshots: K calls, then K full GCs without calls (the control), then K calls again. A leak grows with the
        // calls and not without them; bytes that other threads or the runtime add grow with time, control included.
        var k = Math.Max(1, decision.SegmentLength);
        var threadsAtStart = ThreadPool.ThreadCount;
        var snapshots = new HeapSnapshot?[4];
        var kept = new List<string>();
        string? route = null;
        var note = routeNote;
        try
        {
            for (var s = 0; s < snapshots.Length; s++)
            {
                if (s == 0)
                {
                    LiveHeap.Settle();
                }
                else
                {
                    var calls = s != ControlSnapshot;
                    for (var i = 0; i < k; i++)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        if (calls)
                        {
                            await body().ConfigureAwait(false);
                        }

                        LiveHeap.Settle();
                    }
                }

                _snapshotTime.Start();
                try
                {
                    snapshots[s] = HeapSnapshot.Take(snapshotRoute, _options.KeepSnapshotsIn);
                }
                finally
                {
                    _snapshotTime.Stop();
                }

                route = snapshots[s]!.Route;
                note ??= snapshots[s]!.Note;
                if (snapshots[s]!.KeptFile is { } file)
                {
                    kept.Add(file);
                }
            }
        }
        catch (SnapshotUnavailableException ex)
        {
            foreach (var snapshot in snapshots)
            {
                snapshot?.Dispose();
            }

            if (auto && snapshotRoute == SnapshotRoute.Live)
            {
                // The live route could not hold the heap still (or is not available here): all four again, from dumps.
                return await ConfirmOnHeap(body, live, done, decision, stopwatch, SnapshotRoute.Dump, auto, SnapshotRoutes.FellBack(ex.Message), cancellationToken, attempt)
                    .ConfigureAwait(false);
            }

            if (ex.IsTransient)
            {
                // Snapshots work here, but not now: the heap was in the middle of a GC in every try, or could not be held
                // still while other threads allocated. A busy process is also a noisy one, so the live bytes alone are
                // not enough to fail the check.
                return Pass(
                    live,
                    done,
                    decision,
                    $"the live heap grew in every quarter of {Judged(decision, done)}, but heap snapshots to confirm a leak could not be taken ({ex.Message.TrimEnd('.')}), " +
                    "and live bytes alone are not reported as a leak in a process this busy",
                    stopwatch,
                    route: null,
                    note: note,
                    kept: kept);
            }

            // The live-bytes verdict stands; the report says why there is no diff.
            return Leak(live, done, decision, ex.Message, route: null, note: null, diff: [], growing: [], paths: [], snapshotIterations: 0, kept, stopwatch);
        }
        catch
        {
            foreach (var snapshot in snapshots)
            {
                snapshot?.Dispose();
            }

            throw;
        }

        try
        {
            var ignore = new TypePatterns(_options.Ignore);
            var groupBy = _options.GroupBy;
            var views = snapshots.Select(s => s!.Filter(name => !ignore.IsMatch(name))).ToArray();
            var stats = views
                .Select(v => v.Statistics(groupBy).ToDictionary(x => x.Key, StringComparer.Ordinal))
                .ToArray();
            var diff = views[3].CompareTo(views[0], groupBy);
            var grew = diff
                .Select(d => GrowsWithCalls(d.Key, stats))
                .Where(g => g.Delta is not null)
                .ToArray();
            var grewHere = grew.Select(g => g.Delta!).ToArray();
            // In a second confirmation: only what grew in the first as well, and grew regularly this time (the same calls
            // repeated leak about the same each time; objects caught at random on another thread's stack do not).
            var growing = _grewInFirstConfirmation is { } first
                ? grew.Where(g => first.Contains(g.Delta!.Key) && !g.Irregular).Select(g => g.Delta!).ToArray()
                : grewHere;
            var snapshotIterations = 2 * k;
            if (attempt == 0 && NeedsSecondConfirmation(growing, k, ThreadPool.ThreadCount != threadsAtStart, grew.Any(g => g.Irregular)))
            {
                // The thread pool added or retired threads while the snapshots were taken (each thread brings its own
                // objects, which grow with the calls that made the pool grow), or many types grew at once, as when other
                // threads initialise things while the calls run (a test host starting up), or a type grew by very
                // different counts over the two call intervals, as objects held for a moment by another thread's stack do
                // when a dump happens to catch more of them each time, or every type grew by fewer objects than calls
                // (NeedsSecondConfirmation). Once more: a leak grows in both confirmations, work that happened to
                // coincide with the calls the first time does not.
                _grewInFirstConfirmation = growing.Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
                return await ConfirmOnHeap(body, live, done, decision, stopwatch, snapshotRoute, auto, routeNote, cancellationToken, attempt + 1).ConfigureAwait(false);
            }

            if (growing.Length == 0 && _grewInFirstConfirmation is null && auto && snapshotRoute == SnapshotRoute.Live)
            {
                // The live bytes grew but no type grew in the live snapshots, which see no thread stacks: what grows may be
                // held by another thread's stack. The dump route sees stacks; its verdict is the one reported.
                return await ConfirmOnHeap(
                        body,
                        live,
                        done,
                        decision,
                        stopwatch,
                        SnapshotRoute.Dump,
                        auto,
                        "no type grew with the calls in live snapshots, which see no thread stacks, so the dump route (which does) was used",
                        cancellationToken,
                        attempt)
                    .ConfigureAwait(false);
            }

            if (growing.Length == 0)
            {
                return Pass(
                    live,
                    done,
                    decision,
                    _grewInFirstConfirmation is null
                        ? $"the live heap rose, but no type grew with the calls in heap snapshots {k} calls apart " +
                          "(what grew came from elsewhere: other threads, caches filling, runtime data)"
                        : $"the live heap rose, but no type grew with the calls in both of two heap confirmations {k} calls apart " +
                          "(what grew the first time came from elsewhere: other threads, caches filling, runtime data)",
                    stopwatch,
                    route,
                    note,
                    diff,
                    snapshotIterations,
                    kept);
            }

            IReadOnlyList<RetentionPath> paths = [];
            IReadOnlyList<TypeDelta> ordered = growing;
            if (_options.GroupBy == GroupBy.Type && _options.MaxRetentionPaths > 0)
            {
                (paths, ordered) = PathSelection.Select(snapshots[2]!, growing, _options.MaxRetentionPaths);
            }

            return Leak(live, done, decision, reason: null, route, note, diff, ordered, paths, snapshotIterations, kept, stopwatch);
        }
        finally
        {
            foreach (var snapshot in snapshots)
            {
                snapshot?.Dispose();
            }
        }
    }

    /// <summary>
    /// Whether the first confirmation's growing types must grow again in a second one: when the thread pool changed
    /// size, when many types grew, when a type grew irregularly (see <see cref="GrowsWithCalls"/>), or when every type
    /// that grew did so by fewer objects than calls. One timer or task more in each call interval is what other threads
    /// (parallel tests' <c>Task.Delay</c>) add now and then; a clean delegate beside a garbage-churning thread was
    /// reported as leaking a <c>TimerQueueTimer</c> every 5 calls that way. A sparse leak grows again, the coincidence
    /// seldom does.
    /// </summary>
    internal static bool NeedsSecondConfirmation(IReadOnlyCollection<TypeDelta> growing, int callsPerInterval, bool threadPoolChanged, bool irregular) =>
        growing.Count > 0 &&
        (threadPoolChanged || growing.Count > SuspiciousGrowingTypes || irregular || growing.All(g => g.CountDelta < 2L * callsPerInterval));

    /// <summary>Index of the snapshot taken after the control interval (full GCs, no calls).</summary>
    private const int ControlSnapshot = 2;

    /// <summary>
    /// The group's growth over the two call intervals when it grows with the calls: its count rose in both call
    /// intervals (or, for objects that grow in place, its bytes rose in both while its count never fell) and rose by
    /// less than half as much in the control interval. Otherwise null. <c>Irregular</c>: its count grew by very different
    /// amounts in the two call intervals (by more than one object and more than a quarter of the larger), which the same
    /// calls repeated do not do to a leak, but random numbers of objects caught on another thread's stack do.
    /// </summary>
    internal static (TypeDelta? Delta, bool Irregular) GrowsWithCalls(string key, Dictionary<string, TypeStatistic>[] stats)
    {
        var c = new long[4];
        var b = new long[4];
        for (var s = 0; s < 4; s++)
        {
            if (stats[s].TryGetValue(key, out var stat))
            {
                c[s] = stat.Count;
                b[s] = stat.Bytes;
            }
        }

        long c1 = c[1] - c[0], control = c[2] - c[1], c2 = c[3] - c[2];
        long b1 = b[1] - b[0], controlBytes = b[2] - b[1], b2 = b[3] - b[2];
        var byCount = c1 > 0 && c2 > 0 && control * 2 < Math.Min(c1, c2);
        var byBytes = c1 >= 0 && c2 >= 0 && control <= 0 && b1 > 0 && b2 > 0 && controlBytes * 2 < Math.Min(b1, b2);
        if (!byCount && !byBytes)
        {
            return (null, false);
        }

        var irregular = byCount && Math.Abs(c1 - c2) > Math.Max(1, Math.Max(c1, c2) / 4);
        return (new TypeDelta(key, c[3], b[3], c1 + c2, b1 + b2), irregular);
    }

    private LeakReport Pass(
        long[] live,
        int done,
        GrowthDecision decision,
        string verdict,
        Stopwatch stopwatch,
        string? route = null,
        string? note = null,
        IReadOnlyList<TypeDelta>? diff = null,
        int snapshotIterations = 0,
        IReadOnlyList<string>? kept = null) =>
        new()
        {
            Expression = _expression,
            IsLeak = false,
            Verdict = verdict,
            Warmup = _options.Warmup,
            Iterations = done,
            LiveBytes = live.AsSpan(0, done + 1).ToArray(),
            GrowthPerIteration = decision.Kind == GrowthKind.NoGrowth ? 0 : decision.BytesPerIteration,
            SnapshotIterations = snapshotIterations,
            Diff = diff ?? [],
            SnapshotRoute = route,
            SnapshotNote = note,
            KeptFiles = kept ?? [],
            GroupBy = _options.GroupBy,
            Elapsed = stopwatch.Elapsed,
            SnapshotsElapsed = _snapshotTime.Elapsed,
        };

    private LeakReport Leak(
        long[] live,
        int done,
        GrowthDecision decision,
        string? reason,
        string? route,
        string? note,
        IReadOnlyList<TypeDelta> diff,
        IReadOnlyList<TypeDelta> growing,
        IReadOnlyList<RetentionPath> paths,
        int snapshotIterations,
        IReadOnlyList<string> kept,
        Stopwatch stopwatch)
    {
        var perIteration = decision.BytesPerIteration;
        if (growing.Count > 0 && snapshotIterations > 0)
        {
            perIteration = (double)growing.Sum(g => g.BytesDelta) / snapshotIterations;
        }

        return new LeakReport
        {
            Expression = _expression,
            IsLeak = true,
            Verdict = reason is null
                ? $"the live heap grew in every quarter of {Judged(decision, done)} and the heap snapshots confirmed it"
                : $"the live heap grew in every quarter of {Judged(decision, done)}; heap snapshots were not available to confirm it",
            Warmup = _options.Warmup,
            Iterations = done,
            LiveBytes = live.AsSpan(0, done + 1).ToArray(),
            GrowthPerIteration = perIteration,
            SnapshotIterations = snapshotIterations,
            Diff = diff,
            GrowingTypes = growing,
            RetentionPaths = paths,
            SnapshotRoute = route,
            SnapshotNote = note,
            SnapshotsUnavailableReason = reason,
            KeptFiles = kept,
            GroupBy = _options.GroupBy,
            Elapsed = stopwatch.Elapsed,
            SnapshotsElapsed = _snapshotTime.Elapsed,
        };
    }
}
