using MemoryAssertions.Reporting;

namespace MemoryAssertions;

/// <summary>What a leak check concluded.</summary>
public enum CheckOutcome
{
    /// <summary>The live heap did not grow. Passes.</summary>
    NoGrowth,

    /// <summary>
    /// The live heap rose but not steadily (growth that stops, such as a cache filling), shrank throughout, or dropped
    /// below its baseline too late for the rest of the run to show steady growth. Passes.
    /// </summary>
    GrowthNotSustained,

    /// <summary>The live heap grew, but no retention path group grew with the calls: what grew came from elsewhere. Passes.</summary>
    GrewElsewhere,

    /// <summary>The live heap grew, but heap snapshots could not be taken at the moment (a busy process). Passes.</summary>
    SnapshotsBusy,

    /// <summary>The live heap grew and the heap snapshots confirmed path groups growing with the calls. Fails.</summary>
    Leak,

    /// <summary>The live heap grew and heap snapshots are not available here to confirm it. Fails.</summary>
    LeakUnconfirmed,

    /// <summary>
    /// The heap snapshots confirmed path groups growing with the calls, but followed for many more calls they stopped
    /// growing (a bounded cache filling, such as the runtime's cache of small numbers' strings). Passes;
    /// <see cref="LeakReport.StoppedGrowing"/> names them.
    /// </summary>
    GrowthStopped,
}

/// <summary>Why the snapshots came from another route than the one <see cref="SnapshotRoute.Auto"/> tries first.</summary>
public enum RouteFallback
{
    /// <summary>No fallback.</summary>
    None,

    /// <summary>
    /// The live route was unavailable, during the check or in this process from the start (another platform, a runtime
    /// without static slots): <see cref="LeakReport.LiveRouteUnavailableReason"/> says why.
    /// </summary>
    LiveUnavailable,

    /// <summary>Live snapshots, which see no thread stacks, confirmed no leak (nothing grew, or nothing grew again): the dump route, which does, was used.</summary>
    LiveSawNoGrowth,
}

/// <summary>
/// The outcome of a leak check: the live-bytes series, the outcome, and when growth was real the leaks, each a
/// retention path group growing with the calls. <see cref="ToString"/> is the report text, the same text a failing check
/// throws. Holds type names, field names, counts and sizes only, never the contents of an object.
/// </summary>
public sealed class LeakReport
{
    private string? _text;

    internal LeakReport()
    {
    }

    /// <summary>The code that was checked, as written at the call site.</summary>
    public string Expression { get; internal init; } = "";

    /// <summary>What the check concluded.</summary>
    public CheckOutcome Outcome { get; internal init; }

    /// <summary>True when the code leaks (<see cref="CheckOutcome.Leak"/> or <see cref="CheckOutcome.LeakUnconfirmed"/>).</summary>
    public bool IsLeak => Outcome is CheckOutcome.Leak or CheckOutcome.LeakUnconfirmed;

    /// <summary>One sentence saying why the outcome is what it is (made from the fields of this report).</summary>
    public string Verdict => ReportBuilder.Verdict(this);

    /// <summary>Calls made before measuring.</summary>
    public int Warmup { get; internal init; }

    /// <summary>Measured iterations, after any extension of the run.</summary>
    public int Iterations { get; internal init; }

    /// <summary>
    /// The iteration from which the series was judged: 0, or where the live heap dropped below its baseline (memory held
    /// from before the run was freed) and the series was judged afresh.
    /// </summary>
    public int JudgedFrom { get; internal init; }

    /// <summary>Segments of the judged series whose floor rose (of three): tells growth that stopped from shrinking.</summary>
    internal int Rises { get; init; }

    /// <summary>The heap dropped below its baseline too late for the iterations after it to be judged on their own.</summary>
    internal bool DroppedTooLate { get; init; }

    /// <summary>Live bytes of the process after the warm-up (first value) and after each measured iteration.</summary>
    public IReadOnlyList<long> LiveBytes { get; internal init; } = [];

    /// <summary>Fitted growth of the live heap per iteration, in bytes (0 when it did not grow). Process-wide.</summary>
    public double GrowthPerIteration { get; internal init; }

    /// <summary>
    /// Bytes per call that the leaking path groups gained between the snapshots, with each new object's share of the
    /// array that holds it (a collection's array grows by doubling, seldom within the few calls between snapshots): the
    /// leak's own cost, apart from what other threads added. 0 when no leak was confirmed.
    /// </summary>
    public double BytesPerCall { get; internal init; }

    /// <summary>Calls made between the heap snapshots of the confirmation reported (two intervals of K calls; a control interval of K GCs without calls lies between them), or 0 when none were taken.</summary>
    public int SnapshotIterations { get; internal init; }

    /// <summary>Heap snapshots taken in all, over every confirmation and route tried.</summary>
    public int SnapshotsTaken { get; internal init; }

    /// <summary>Heap confirmations taken, on every route tried (each is four snapshots).</summary>
    public int Confirmations { get; internal init; }

    /// <summary>
    /// Whether the confirmation reported is a second one, taken because the first one's evidence was weak: only what
    /// grew in both counts.
    /// </summary>
    public bool SecondConfirmation { get; internal init; }

    /// <summary>The heap diff by type (grouped as asked), last snapshot against the first; empty when no snapshots were taken.</summary>
    public IReadOnlyList<TypeDelta> Diff { get; internal init; } = [];

    /// <summary>The leaks, largest first: each the leaked object's path group, what it owns and what it is held through.</summary>
    public IReadOnlyList<LeakedObject> Leaks { get; internal init; } = [];

    /// <summary>
    /// What grew with the calls in the heap confirmation but stopped growing when followed for <see cref="FollowCalls"/>
    /// more calls (a bounded cache filling): not leaks, and not counted in <see cref="BytesPerCall"/>.
    /// </summary>
    public IReadOnlyList<LeakedObject> StoppedGrowing { get; internal init; } = [];

    /// <summary>Calls a confirmed leak was followed for, to tell it from a bounded cache filling; 0 when it was not followed.</summary>
    public long FollowCalls { get; internal init; }

    /// <summary>Each group followed for <see cref="FollowCalls"/> calls: what it gained, against what its rate predicted.</summary>
    public IReadOnlyList<FollowedGrowth> Followed { get; internal init; } = [];

    /// <summary>The retention path of each leaked object, in the order of <see cref="Leaks"/>, at most <see cref="LeakOptions.MaxRetentionPaths"/>.</summary>
    public IReadOnlyList<RetentionPath> RetentionPaths { get; internal init; } = [];

    /// <summary>The snapshot route used, or <see langword="null"/> when no snapshot was taken.</summary>
    public SnapshotRoute? SnapshotRoute { get; internal init; }

    /// <summary>Why the snapshots came from another route than the one tried first.</summary>
    public RouteFallback RouteFallback { get; internal init; }

    /// <summary>With <see cref="RouteFallback.LiveUnavailable"/>: why the live route was unavailable.</summary>
    public string? LiveRouteUnavailableReason { get; internal init; }

    /// <summary>Why there is no heap diff although growth was seen (<see cref="CheckOutcome.LeakUnconfirmed"/>, <see cref="CheckOutcome.SnapshotsBusy"/>), or <see langword="null"/>.</summary>
    public string? SnapshotsUnavailableReason { get; internal init; }

    /// <summary>Dump files kept at the caller's request (<see cref="LeakOptions.KeepSnapshotsIn"/>).</summary>
    public IReadOnlyList<string> KeptFiles { get; internal init; } = [];

    /// <summary>
    /// Snapshots whose dump file could not be kept in <see cref="LeakOptions.KeepSnapshotsIn"/> (it was read, counted and
    /// deleted like any other, so the verdict stands); 0 when every one asked for was kept.
    /// </summary>
    public int SnapshotsNotKept { get; internal init; }

    /// <summary>With <see cref="SnapshotsNotKept"/> above 0: why the folder could not take the first of them.</summary>
    public string? SnapshotsNotKeptReason { get; internal init; }

    /// <summary>How the diff is grouped.</summary>
    public GroupBy GroupBy { get; internal init; }

    /// <summary>Wall-clock time of the whole check.</summary>
    public TimeSpan Elapsed { get; internal init; }

    /// <summary>
    /// The part of <see cref="Elapsed"/> spent taking heap snapshots (the route's own cost, failed attempts included);
    /// zero when none were taken.
    /// </summary>
    public TimeSpan SnapshotsElapsed { get; internal init; }

    /// <summary>The report text.</summary>
    public string Text => _text ??= ReportBuilder.Build(this);

    /// <inheritdoc />
    public override string ToString() => Text;
}
