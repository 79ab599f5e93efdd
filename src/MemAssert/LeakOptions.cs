namespace MemoryAssertions;

/// <summary>
/// How <see cref="MemAssert"/> measures a delegate. Immutable: set what you need with an object initializer,
/// e.g. <c>new LeakOptions { Iterations = 40, Ignore = ["MyApp.Caching.*"] }</c>.
/// </summary>
public sealed record LeakOptions
{
    /// <summary>The options used when none are given.</summary>
    public static LeakOptions Default { get; } = new();

    /// <summary>
    /// Measured iterations in the first round (at least 2, default 20). When the series is inconclusive the run is
    /// extended, doubling, up to <see cref="MaxIterations"/>.
    /// </summary>
    public int Iterations { get; init; } = 20;

    /// <summary>Calls made before measuring starts, to fill caches, JIT code and run static constructors (at least 0, default 3).</summary>
    public int Warmup { get; init; } = 3;

    /// <summary>
    /// The most iterations a run may extend to when the series is inconclusive; 0 (the default) means
    /// 4 × <see cref="Iterations"/>. A leak that adds something only every P-th call is caught when P is at most
    /// a quarter of this number.
    /// </summary>
    public int MaxIterations { get; init; }

    /// <summary>
    /// Sustained growth at or below this many bytes per iteration is tolerated. Default 0: any sustained growth is a leak.
    /// </summary>
    public long MaxGrowthPerIteration { get; init; }

    /// <summary>
    /// Type-name patterns left out of the heap diff, like tracemalloc's filters: <c>*</c> matches any run of characters,
    /// <c>?</c> one character, e.g. <c>System.String</c>, <c>MyApp.Cache*</c>, <c>*Logger*</c>. Patterns are matched
    /// against the full type name (or the namespace or assembly name, following <see cref="GroupBy"/>).
    /// </summary>
    public IReadOnlyList<string> Ignore { get; init; } = [];

    /// <summary>How the heap diff is grouped (default <see cref="MemoryAssertions.GroupBy.Type"/>).</summary>
    public GroupBy GroupBy { get; init; } = GroupBy.Type;

    /// <summary>How many retention paths the report shows (at least 0, default 3).</summary>
    public int MaxRetentionPaths { get; init; } = 3;

    /// <summary>
    /// A directory in which heap dump files are kept after the run (created if missing), each listed in
    /// <see cref="LeakReport.KeptFiles"/>. A directory that cannot take them is no error: the dumps are deleted like any
    /// other and the report says so (<see cref="LeakReport.SnapshotsNotKept"/>). Default <see langword="null"/>:
    /// nothing is kept, and every file the run writes is deleted whatever the outcome.
    /// </summary>
    public string? KeepSnapshotsIn { get; init; }

    /// <summary>How heap snapshots are taken to confirm growth (default <see cref="SnapshotRoute.Auto"/>).</summary>
    public SnapshotRoute Snapshots { get; init; } = SnapshotRoute.Auto;

    /// <summary>
    /// How long one call of the code may take (default 30 s; <see cref="Timeout.InfiniteTimeSpan"/> for no limit). The
    /// task of an asynchronous call that has not completed by then fails the check with a <see cref="TimeoutException"/>
    /// naming the call (the task itself is left running). A synchronous call cannot be interrupted; a check that has
    /// waited to start behind one call of another check for longer than this fails with
    /// <see cref="InvalidOperationException"/>, since it was most likely started from inside that call.
    /// </summary>
    public TimeSpan IterationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan MaxIterationTimeout = TimeSpan.FromHours(24);

    internal int EffectiveMaxIterations => MaxIterations > 0 ? Math.Max(MaxIterations, Iterations) : Iterations * 4;

    internal void Validate()
    {
        if (Iterations < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "LeakOptions.Iterations must be at least 2 (allowed range: 2 to 100000).");
        }

        if (Iterations > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "LeakOptions.Iterations must be at most 100000 (allowed range: 2 to 100000).");
        }

        if (Warmup < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Warmup), Warmup, "LeakOptions.Warmup must be 0 or more.");
        }

        if (MaxIterations < 0 || MaxIterations > 400_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "LeakOptions.MaxIterations must be 0 (4 × Iterations) or a number up to 400000.");
        }

        if (MaxGrowthPerIteration < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxGrowthPerIteration), MaxGrowthPerIteration, "LeakOptions.MaxGrowthPerIteration must be 0 or more bytes.");
        }

        if (MaxRetentionPaths < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetentionPaths), MaxRetentionPaths, "LeakOptions.MaxRetentionPaths must be 0 or more.");
        }

        if (Ignore is null)
        {
            throw new ArgumentNullException(nameof(Ignore), "LeakOptions.Ignore must not be null; use an empty list.");
        }

        if (!Enum.IsDefined(GroupBy))
        {
            throw new ArgumentOutOfRangeException(nameof(GroupBy), GroupBy, "LeakOptions.GroupBy must be Type, Namespace or Assembly.");
        }

        if (!Enum.IsDefined(Snapshots))
        {
            throw new ArgumentOutOfRangeException(nameof(Snapshots), Snapshots, "LeakOptions.Snapshots must be Auto, Live, Dump or None.");
        }

        if (IterationTimeout != Timeout.InfiniteTimeSpan && (IterationTimeout <= TimeSpan.Zero || IterationTimeout > MaxIterationTimeout))
        {
            throw new ArgumentOutOfRangeException(
                nameof(IterationTimeout),
                IterationTimeout,
                "LeakOptions.IterationTimeout must be more than zero and at most 24 hours, or Timeout.InfiniteTimeSpan for no limit.");
        }
    }
}

/// <summary>How heap statistics are grouped.</summary>
public enum GroupBy
{
    /// <summary>By full type name, e.g. <c>System.Collections.Generic.List&lt;System.Object&gt;</c>.</summary>
    Type,

    /// <summary>By the namespace of the type, e.g. <c>System.Collections.Generic</c>.</summary>
    Namespace,

    /// <summary>By the simple name of the assembly that defines the type, e.g. <c>System.Private.CoreLib</c>.</summary>
    Assembly,
}

/// <summary>How a heap snapshot of the current process is taken.</summary>
public enum SnapshotRoute
{
    /// <summary>
    /// The live route where it is supported (Linux, where the runtime gives the addresses of static fields' slots:
    /// checked once per process), and the dump route where it is not, when it is unavailable at the
    /// moment (the report says why), and always when <see cref="LeakOptions.KeepSnapshotsIn"/> is set. A check whose
    /// live snapshots confirm no leak is confirmed again on the dump route, which sees thread stacks.
    /// </summary>
    Auto,

    /// <summary>Read the process's own memory while the GC is held still: fast, and nothing is written to disk. Roots are GC handles and statics (no stack roots).</summary>
    Live,

    /// <summary>Have the runtime write a heap dump of the process to a private temporary file, read it, and delete it. Roots include thread stacks.</summary>
    Dump,

    /// <summary>Take no snapshots: the verdict comes from live bytes alone, with no diff and no retention paths.</summary>
    None,
}
