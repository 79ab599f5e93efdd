using MemoryAssertions.Reporting;

namespace MemoryAssertions;

/// <summary>
/// The outcome of a leak check: the live-bytes series, the verdict, and when growth was real the heap diff and the
/// retention paths. <see cref="ToString"/> is the report text, the same text a failing check throws.
/// Holds type names, counts and sizes only, never the contents of an object.
/// </summary>
public sealed class LeakReport
{
    private string? _text;

    internal LeakReport()
    {
    }

    /// <summary>The code that was checked, as written at the call site.</summary>
    public string Expression { get; internal init; } = "";

    /// <summary>True when the code leaks: sustained growth of the live heap that the heap diff confirmed (or could not check).</summary>
    public bool IsLeak { get; internal init; }

    /// <summary>One sentence saying why the verdict is what it is.</summary>
    public string Verdict { get; internal init; } = "";

    /// <summary>Calls made before measuring.</summary>
    public int Warmup { get; internal init; }

    /// <summary>Measured iterations, after any extension of the run.</summary>
    public int Iterations { get; internal init; }

    /// <summary>Live bytes of the process after the warm-up (first value) and after each measured iteration.</summary>
    public IReadOnlyList<long> LiveBytes { get; internal init; } = [];

    /// <summary>Fitted growth of the live heap per iteration, in bytes (0 when it did not grow).</summary>
    public double GrowthPerIteration { get; internal init; }

    /// <summary>Calls made between the heap snapshots (two intervals of K calls; a control interval of K GCs without calls lies between them), or 0 when no snapshots were taken.</summary>
    public int SnapshotIterations { get; internal init; }

    /// <summary>The heap diff, last snapshot against the first, grouped as asked; empty when no snapshots were taken.</summary>
    public IReadOnlyList<TypeDelta> Diff { get; internal init; } = [];

    /// <summary>
    /// The groups that grew with the calls (in both call intervals) and not without them (the control interval): the
    /// leak, with their growth over the call intervals. The outermost
    /// leaked type (closest to the GC root) comes first; the headline names it.
    /// </summary>
    public IReadOnlyList<TypeDelta> GrowingTypes { get; internal init; } = [];

    /// <summary>How the growing types are held, most shared path first.</summary>
    public IReadOnlyList<RetentionPath> RetentionPaths { get; internal init; } = [];

    /// <summary>The snapshot route used (<c>live</c> or <c>dump</c>), or <see langword="null"/> when none was taken.</summary>
    public string? SnapshotRoute { get; internal init; }

    /// <summary>Why the snapshots came from another route than the one asked for, or <see langword="null"/>.</summary>
    public string? SnapshotNote { get; internal init; }

    /// <summary>Why there is no heap diff although growth was seen, or <see langword="null"/>.</summary>
    public string? SnapshotsUnavailableReason { get; internal init; }

    /// <summary>Dump files kept at the caller's request (<see cref="LeakOptions.KeepSnapshotsIn"/>).</summary>
    public IReadOnlyList<string> KeptFiles { get; internal init; } = [];

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
