namespace MemoryAssertions.Snapshots;

/// <summary>
/// Chooses the route for a snapshot. <see cref="SnapshotRoute.Auto"/> takes the live route where the platform has it
/// (no file, several times faster) and falls back to the dump route when the live route is unavailable or when the
/// caller asked to keep the snapshot files. An explicit route never falls back.
/// </summary>
internal static class SnapshotRoutes
{
    /// <summary>The route <see cref="SnapshotRoute.Auto"/> tries first.</summary>
    public static SnapshotRoute PreferredFor(string? keepIn) =>
        keepIn is null && LiveRoute.IsSupported ? SnapshotRoute.Live : SnapshotRoute.Dump;

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
                if (PreferredFor(keepIn) == SnapshotRoute.Live)
                {
                    try
                    {
                        return LiveRoute.Capture(cancellationToken);
                    }
                    catch (SnapshotUnavailableException ex)
                    {
                        note = FellBack(ex.Message);
                    }
                }

                return DumpRoute.Capture(keepIn, out keptFile, cancellationToken);
        }
    }

    /// <summary>The note for a snapshot that the dump route took because the live route could not.</summary>
    public static string FellBack(string reason) => $"the live route was unavailable ({reason.TrimEnd('.')}), so the dump route was used";
}
