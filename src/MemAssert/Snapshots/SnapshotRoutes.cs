namespace MemoryAssertions.Snapshots;

/// <summary>Chooses the route for a snapshot and falls back from the live route to the dump route.</summary>
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
                if (keepIn is not null || !LiveRoute.IsSupported)
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
