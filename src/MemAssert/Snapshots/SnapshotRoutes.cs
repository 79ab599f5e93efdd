using MemoryAssertions.RuntimeInternals;

namespace MemoryAssertions.Snapshots;

/// <summary>
/// Chooses the route for a snapshot. <see cref="SnapshotRoute.Auto"/> takes the live route where it is supported and
/// its statics can be had without the DAC (<see cref="StaticSlots.IsAvailable"/>), and no snapshot file is to be kept, and falls back to the dump route, saying why, when the live route is unavailable;
/// a check whose live snapshots see nothing growing is confirmed again on the dump route, which sees thread stacks.
/// An explicit route never falls back.
/// </summary>
/// <remarks>
/// For a while <c>Auto</c> took the dump route: the live walk asked the DAC for every static
/// field of every type, and in a freshly started test host, where other threads load types meanwhile, the DAC stopped
/// responding in about one process in four. The statics now come from <see cref="StaticSlots"/>, without the DAC. A
/// capture that still stops responding is given up after its time limit (<see cref="LiveRoute"/>), and the live route
/// is off for the rest of the process.
/// </remarks>
internal static class SnapshotRoutes
{
    /// <summary>
    /// Whether <see cref="SnapshotRoute.Auto"/> tries the live route first. On; tests turn it off to exercise the dump
    /// route through <see cref="SnapshotRoute.Auto"/>.
    /// </summary>
    internal static bool AutoPrefersLive { get => !s_autoAvoidsLive.Value; set => s_autoAvoidsLive.Value = !value; }

    private static readonly TestHook<bool> s_autoAvoidsLive = new();

    /// <summary>The route <see cref="SnapshotRoute.Auto"/> tries first.</summary>
    public static SnapshotRoute PreferredFor(string? keepIn) =>
        AutoPrefersLive && keepIn is null && RuntimeCapabilities.LiveRouteUnavailableReason is null ? SnapshotRoute.Live : SnapshotRoute.Dump;

    /// <summary>
    /// Why <see cref="SnapshotRoute.Auto"/> does not try the live route first here, for the report; null when it does,
    /// or when it takes the dump route because a snapshot file is to be kept (or a test turned the live route off).
    /// </summary>
    public static string? LiveNotTakenReason(string? keepIn) =>
        AutoPrefersLive && keepIn is null ? RuntimeCapabilities.LiveRouteUnavailableReason : null;

    /// <summary>Takes one snapshot on <paramref name="route"/>; <paramref name="note"/> says why the dump route was taken instead of the live one.</summary>
    public static DumpRoute.Captured Capture(SnapshotRoute route, string? keepIn, out string? note, CancellationToken cancellationToken = default)
    {
        note = null;
        ReflectionFieldNames.Prepare();
        OwnCode.Prepare();
        switch (route)
        {
            case SnapshotRoute.None:
                throw new SnapshotUnavailableException("snapshots were turned off (LeakOptions.Snapshots = None).");
            case SnapshotRoute.Dump:
                MemoryBudget.ThrowIfTooBig(SnapshotRoute.Dump);
                return DumpRoute.Capture(keepIn, cancellationToken);
            case SnapshotRoute.Live:
                MemoryBudget.ThrowIfTooBig(SnapshotRoute.Live);
                return new(LiveRoute.Capture(cancellationToken), null, null);
            default:
                if (LiveNotTakenReason(keepIn) is { } notTaken)
                {
                    note = Reporting.ReportBuilder.FellBack(notTaken);
                }
                else if (PreferredFor(keepIn) == SnapshotRoute.Live)
                {
                    try
                    {
                        MemoryBudget.ThrowIfTooBig(SnapshotRoute.Live);
                        return new(LiveRoute.Capture(cancellationToken), null, null);
                    }
                    catch (SnapshotUnavailableException ex)
                    {
                        note = Reporting.ReportBuilder.FellBack(ex.Message);
                    }
                }

                MemoryBudget.ThrowIfTooBig(SnapshotRoute.Dump);
                return DumpRoute.Capture(keepIn, cancellationToken);
        }
    }
}
