using MemoryAssertions.Series;
using MemoryAssertions.Snapshots;

namespace MemoryAssertions;

/// <summary>
/// What a check reads from the process: the live heap, heap snapshots, the thread pool's size, the route
/// <see cref="SnapshotRoute.Auto"/> tries first and why it is not the live route (null when it is, or when no reason
/// is to be reported). <see cref="Process"/> is the real process; tests of the run logic hand a check made-up readings
/// and snapshots of their own, for that check only.
/// </summary>
internal sealed record CheckEnvironment(
    Func<long> ReadLiveHeap,
    Func<SnapshotRoute, string?, HeapSnapshot> TakeSnapshot,
    Func<int> ThreadCount,
    Func<string?, SnapshotRoute> PreferredRoute,
    Func<string?, string?>? LiveNotTakenReason = null)
{
    public static CheckEnvironment Process { get; } = new(
        LiveHeap.Settle,
        (route, keepIn) => HeapSnapshot.TakeCore(route, keepIn),
        () => ThreadPool.ThreadCount,
        SnapshotRoutes.PreferredFor,
        SnapshotRoutes.LiveNotTakenReason);
}
