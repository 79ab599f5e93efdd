namespace MemoryAssertions.Snapshots;

/// <summary>
/// Chooses the route for a snapshot. <see cref="SnapshotRoute.Auto"/> takes the dump route for now: the live route is
/// exact and fast in a quiet process but not yet dependable in a busy one (see docs/snapshot-routes.md), so it is used
/// only when asked for (<see cref="SnapshotRoute.Live"/>). An explicit route never falls back.
/// </summary>
internal static class SnapshotRoutes
{
    public static HeapGraph Capture(SnapshotRoute route, string? keepIn, out string? keptFile, out string? note, CancellationToken cancellationToken = default)
    {
        note = null;
        keptFile = null;
        switch (route)
        {
            case SnapshotRoute.None:
                throw new SnapshotUnavailableException("snapshots were turned off (LeakOptions.Snapshots = None).");
            case SnapshotRoute.Dump:
                return DumpRoute.Capture(keepIn, out keptFile, cancellationToken);
            case SnapshotRoute.Live:
                return LiveRoute.Capture(cancellationToken);
            default:
                // The dump route, until the live route holds in busy processes (issue 5): in a test host the live walk
                // outgrows its no-GC region or sees collections it did not cause, and each failed attempt costs seconds.
                return DumpRoute.Capture(keepIn, out keptFile, cancellationToken);
        }
    }
}
