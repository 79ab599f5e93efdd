namespace MemoryAssertions.Snapshots;

/// <summary>
/// Chooses the route for a snapshot. <see cref="SnapshotRoute.Auto"/> takes the live route where it exists (Linux) and
/// no snapshot file is to be kept, and the dump route otherwise or when the live route is unavailable (the heap could not
/// be held still); a check whose live snapshots see nothing growing is confirmed again on the dump route, which sees
/// thread stacks. An explicit route never falls back.
/// </summary>
internal static class SnapshotRoutes
{
    /// <summary>
    /// Whether <see cref="SnapshotRoute.Auto"/> tries the live route first (falling back to the dump route when it is
    /// unavailable, and re-confirming a check on the dump route when live snapshots see nothing growing). On; tests turn
    /// it off to see <see cref="SnapshotRoute.Auto"/> on a platform without the live route.
    /// </summary>
    internal static bool AutoPrefersLive { get; set; } = true;

    /// <summary>The route <see cref="SnapshotRoute.Auto"/> tries first.</summary>
    public static SnapshotRoute PreferredFor(string? keepIn) =>
        AutoPrefersLive && keepIn is null && LiveRoute.IsSupported ? SnapshotRoute.Live : SnapshotRoute.Dump;

    public static HeapGraph Capture(SnapshotRoute route, string? keepIn, out string? keptFile, out string? note, CancellationToken cancellationToken = default)
    {
        note = null;
        keptFile = null;
        ReflectionFieldNames.Prepare();
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
