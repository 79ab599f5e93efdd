using System.Diagnostics;

namespace MemoryAssertions.Confirmation;

/// <summary>What one confirmation's snapshots were, counted.</summary>
/// <param name="Snapshots">The four snapshots' counts.</param>
/// <param name="CallsPerInterval">K, the calls in each call interval (and the GCs in the control interval).</param>
/// <param name="ThreadPoolChanged">Whether the thread pool's size changed during a call interval (not while a snapshot was taken).</param>
internal sealed record Evidence(SnapshotCounts[] Snapshots, int CallsPerInterval, bool ThreadPoolChanged);

/// <summary>What every confirmation of a check adds up to: snapshots taken, their time, kept files, and those not kept as asked.</summary>
internal sealed class SnapshotLog
{
    public Stopwatch Time { get; } = new();

    public int Taken { get; set; }

    public List<string> Kept { get; } = [];

    /// <summary>Snapshots whose dump was to be kept and could not be (deleted after reading instead).</summary>
    public int NotKept { get; set; }

    /// <summary>Why the first of them could not be kept.</summary>
    public string? NotKeptReason { get; set; }
}

/// <summary>
/// One heap confirmation: four snapshots from one route, K calls apart, then K full GCs without calls (the control),
/// then K calls again. All four come from one route: the live route sees no stack roots, so mixing routes would count
/// stack-held objects in some snapshots and not in others. Each snapshot is counted by path group as soon as it is taken
/// and let go, so at most one snapshot's graph is alive at a time.
/// </summary>
internal static class HeapConfirmation
{
    /// <summary>Index of the snapshot taken after the control interval (full GCs, no calls).</summary>
    internal const int ControlSnapshot = 2;

    private static readonly int[] WarmChildren = [2, 4, 4, 6];

    private static int s_warm;

    /// <summary>
    /// Runs the counting and attribution once, on a made-up heap, before a process's first snapshot: what they create
    /// once (comparers, the JIT's data, the runtime's caches) is then in every snapshot instead of showing as growth
    /// between the first and the later ones.
    /// </summary>
    private static void Warm(GroupBy groupBy)
    {
        if (Interlocked.Exchange(ref s_warm, 1) != 0)
        {
            return;
        }

        var shapes = new PathShapes();
        var counts = WarmChildren.Select(n => SnapshotCounts.Of(MadeUp(n), shapes, groupBy, new TypePatterns(["Ignored"]))).ToArray();
        _ = Attribution.Evaluate(shapes, counts, 1, threadPoolChanged: false, grewInFirst: null);
        _ = Attribution.Evaluate(shapes, counts, 1, threadPoolChanged: false, grewInFirst: new HashSet<int> { 1 });
    }

    /// <summary>A made-up heap: a root holding <paramref name="children"/> objects of two types in turn (so that lookups find what they interned).</summary>
    private static Snapshots.HeapGraph MadeUp(int children)
    {
        var count = children + 1;
        var typeOf = new int[count];
        var parentOf = new int[count];
        var edgeOf = new int[count];
        var sizeOf = new long[count];
        parentOf[0] = -1;
        edgeOf[0] = -1;
        for (var i = 1; i < count; i++)
        {
            typeOf[i] = 1 + (i % 2);
            edgeOf[i] = 0;
            sizeOf[i] = 24;
        }

        return new Snapshots.HeapGraph(
            SnapshotRoute.Live,
            [new("Root", "Made.Up"), new("Child", "Made.Up"), new("Other", "Made.Up")],
            ["[i]"],
            [Snapshots.RootNames.StaticField("Made.Up.Root")],
            typeOf,
            sizeOf,
            parentOf,
            edgeOf,
            count);
    }

    /// <exception cref="SnapshotUnavailableException">A snapshot could not be taken on <paramref name="route"/>.</exception>
    public static async ValueTask<Evidence> TakeAsync(
        Func<ValueTask> body,
        SnapshotRoute route,
        int callsPerInterval,
        LeakOptions options,
        CheckEnvironment environment,
        PathShapes shapes,
        SnapshotLog log,
        CancellationToken cancellationToken)
    {
        Warm(options.GroupBy);
        var ignore = new TypePatterns(options.Ignore);
        // A change of the pool's size counts only where the calls ran: the snapshots themselves may grow the pool (the
        // dump route's diagnostics client blocks on its I/O), and that says nothing about the code being checked.
        var poolChangedByCalls = false;
        var counts = new SnapshotCounts[4];
        for (var s = 0; s < counts.Length; s++)
        {
            if (s == 0)
            {
                environment.ReadLiveHeap();
            }
            else
            {
                var calls = s != ControlSnapshot;
                var threadsBefore = environment.ThreadCount();
                for (var i = 0; i < callsPerInterval; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (calls)
                    {
                        await body().ConfigureAwait(false);
                    }

                    environment.ReadLiveHeap();
                }

                poolChangedByCalls |= calls && environment.ThreadCount() != threadsBefore;
            }

            counts[s] = TakeCounted(route, options, environment, shapes, log, ignore);
        }

        return new Evidence(counts, callsPerInterval, poolChangedByCalls);
    }

    /// <summary>
    /// Follows a confirmed leak: <paramref name="calls"/> more calls with no GC between them (so that they cost what the
    /// code costs), then one snapshot on <paramref name="route"/>, counted with the confirmation's shapes.
    /// </summary>
    /// <exception cref="SnapshotUnavailableException">The snapshot could not be taken.</exception>
    public static async ValueTask<SnapshotCounts> FollowAsync(
        Func<ValueTask> body,
        SnapshotRoute route,
        long calls,
        LeakOptions options,
        CheckEnvironment environment,
        PathShapes shapes,
        SnapshotLog log,
        CancellationToken cancellationToken)
    {
        for (var i = 0L; i < calls; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await body().ConfigureAwait(false);
        }

        environment.ReadLiveHeap();
        return TakeCounted(route, options, environment, shapes, log, new TypePatterns(options.Ignore));
    }

    /// <summary>One snapshot on <paramref name="route"/>, logged (time, kept or not kept) and counted by path group, then let go.</summary>
    private static SnapshotCounts TakeCounted(SnapshotRoute route, LeakOptions options, CheckEnvironment environment, PathShapes shapes, SnapshotLog log, TypePatterns ignore)
    {
        HeapSnapshot snapshot;
        log.Time.Start();
        try
        {
            snapshot = environment.TakeSnapshot(route, options.KeepSnapshotsIn);
            log.Taken++;
        }
        finally
        {
            log.Time.Stop();
        }

        using (snapshot)
        {
            if (snapshot.KeptFile is { } file)
            {
                log.Kept.Add(file);
            }

            if (snapshot.NotKeptReason is { } reason)
            {
                log.NotKept++;
                log.NotKeptReason ??= reason;
            }

            return SnapshotCounts.Of(snapshot.Graph, shapes, options.GroupBy, ignore);
        }
    }
}
