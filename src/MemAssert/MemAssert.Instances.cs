using MemoryAssertions.Snapshots;

namespace MemoryAssertions;

public static partial class MemAssert
{
    /// <summary>
    /// Fails with <see cref="MemoryLeakException"/> when, after a full collection, any live instance of
    /// <typeparamref name="T"/> (derived types included) remains; the message gives the count, the bytes and the
    /// retention paths. With <see cref="SnapshotRoute.Auto"/>, a live snapshot that finds none is checked on the dump
    /// route, which sees objects held only by a thread's stack.
    /// </summary>
    /// <param name="options"><see cref="LeakOptions.Snapshots"/>, <see cref="LeakOptions.Ignore"/> and <see cref="LeakOptions.MaxRetentionPaths"/> apply.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range.</exception>
    /// <exception cref="SnapshotUnavailableException">No snapshot can be taken here (or <see cref="LeakOptions.Snapshots"/> is <see cref="SnapshotRoute.None"/>).</exception>
    /// <exception cref="MemoryLeakException">Instances remain.</exception>
    public static InstancesReport NoInstances<T>(LeakOptions? options = null)
    {
        var names = RuntimeTypes.NamesAssignableTo(typeof(T));
        return NoInstancesOf(TypeNames.Of(typeof(T)), t => names.Contains(t.Name), options);
    }

    /// <summary>
    /// Fails with <see cref="MemoryLeakException"/> when, after a full collection, any live instance of a type whose
    /// full name matches <paramref name="typePattern"/> (<c>*</c> any run of characters, <c>?</c> one character,
    /// e.g. <c>MyApp.ViewModels.*</c>) remains.
    /// </summary>
    /// <param name="typePattern">The type-name pattern.</param>
    /// <param name="options"><see cref="LeakOptions.Snapshots"/>, <see cref="LeakOptions.Ignore"/> and <see cref="LeakOptions.MaxRetentionPaths"/> apply.</param>
    /// <exception cref="ArgumentException"><paramref name="typePattern"/> is null or blank.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range.</exception>
    /// <exception cref="SnapshotUnavailableException">No snapshot can be taken here.</exception>
    /// <exception cref="MemoryLeakException">Instances remain.</exception>
    public static InstancesReport NoInstances(string typePattern, LeakOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(typePattern);
        var pattern = new TypePatterns([typePattern]);
        return NoInstancesOf(typePattern, t => pattern.IsMatch(t.Name), options);
    }

    private static InstancesReport NoInstancesOf(string what, Func<HeapTypeInfo, bool> matches, LeakOptions? options)
    {
        options ??= LeakOptions.Default;
        options.Validate();
        if (options.Snapshots == SnapshotRoute.None)
        {
            throw new SnapshotUnavailableException("NoInstances needs a heap snapshot, and snapshots were turned off (LeakOptions.Snapshots = None).");
        }

        var ignore = new TypePatterns(options.Ignore);
        bool Counted(HeapTypeInfo t) => matches(t) && !ignore.IsMatch(t.Name);

        return CheckGate.Run(() => NoInstancesUnderGate(what, Counted, options));
    }

    private static InstancesReport NoInstancesUnderGate(string what, Func<HeapTypeInfo, bool> counted, LeakOptions options)
    {
        Series.LiveHeap.Settle();
        var report = Count(options.Snapshots, what, counted, options, note: null);
        if (report.Count == 0 && options.Snapshots == SnapshotRoute.Auto && report.Route == SnapshotRoute.Live)
        {
            // The live route sees no stacks: none there is not none.
            try
            {
                report = Count(SnapshotRoute.Dump, what, counted, options, "none on the live route, so the dump route (which sees stacks) was asked");
            }
            catch (SnapshotUnavailableException ex)
            {
                report = report with { Note = $"the dump route, which sees stacks, was unavailable ({ex.Message.TrimEnd('.')})" };
            }
        }

        return report.Count > 0 ? throw new MemoryLeakException(report.Text) : report;
    }

    private static InstancesReport Count(SnapshotRoute route, string what, Func<HeapTypeInfo, bool> matches, LeakOptions options, string? note)
    {
        using var snapshot = HeapSnapshot.Take(route);
        var (count, bytes) = snapshot.Tally(matches);
        return new InstancesReport
        {
            What = what,
            Count = count,
            Bytes = bytes,
            Route = snapshot.Route,
            RetentionPaths = count == 0 ? [] : snapshot.RetentionPathsOf(matches, options.MaxRetentionPaths),
            Note = note ?? snapshot.Note,
        };
    }
}
