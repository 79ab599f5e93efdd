namespace MemoryAssertions.Snapshots;

/// <summary>
/// Chooses the route for a snapshot. <see cref="SnapshotRoute.Auto"/> takes the dump route for now: the live route is
/// fast, exact and names fields without the runtime's data access component (DAC), but its walk still asks the DAC for
/// the statics and type names while other threads may be loading types, and in a freshly started test host the DAC
/// then stopped responding in about one process in four (the capture is given up after its time limit, see
/// <see cref="LiveRoute"/>). The live route runs when asked for (<see cref="SnapshotRoute.Live"/>). An explicit route
/// never falls back.
/// </summary>
internal static class SnapshotRoutes
{
    /// <summary>
    /// Whether <see cref="SnapshotRoute.Auto"/> tries the live route first (falling back to the dump route when it is
    /// unavailable, and re-confirming a check on the dump route when live snapshots see nothing growing). Off until the
    /// live walk no longer asks the DAC anything in a moving process; tests turn it on to exercise the fallbacks.
    /// </summary>
    internal static bool AutoPrefersLive { get; set; }

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
