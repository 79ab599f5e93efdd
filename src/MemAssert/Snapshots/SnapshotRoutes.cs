namespace MemoryAssertions.Snapshots;

/// <summary>
/// Chooses the route for a snapshot: <see cref="SnapshotRoute.Auto"/> takes the live route where it is supported and no
/// file is to be kept, and falls back to the dump route with a note saying why when the live route is unavailable.
/// An explicit <see cref="SnapshotRoute.Live"/> or <see cref="SnapshotRoute.Dump"/> never falls back.
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
                if (keepIn is not null)
                {
                    // Only a dump can be kept.
                    return DumpRoute.Capture(keepIn, out keptFile, cancellationToken);
                }

                if (!LiveRoute.IsSupported)
                {
                    return DumpRoute.Capture(keepIn, out keptFile, cancellationToken);
                }

                try
                {
                    return LiveRoute.Capture(cancellationToken);
                }
                catch (SnapshotUnavailableException ex)
                {
                    note = $"live route unavailable ({ex.Message}); used the dump route";
                    return DumpRoute.Capture(keepIn, out keptFile, cancellationToken);
                }
        }
    }
}
