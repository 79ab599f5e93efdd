using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MemoryAssertions.Snapshots;

namespace MemoryAssertions;

public static partial class MemAssert
{
    /// <summary>
    /// Fails with <see cref="MemoryLeakException"/> when the object <paramref name="create"/> returns is still alive after
    /// a full collection; the message gives the retention path of that object (not of its type). <paramref name="create"/>
    /// runs in a frame of its own and only a weak handle to its result is kept, so no local of the test keeps the object
    /// alive, in Debug builds too.
    /// </summary>
    /// <param name="create">Makes the object, and whatever is meant to let go of it.</param>
    /// <param name="options"><see cref="LeakOptions.Snapshots"/> applies (how the path is found).</param>
    /// <param name="expression">Filled in by the compiler with the code at the call site; quoted in the report.</param>
    /// <exception cref="ArgumentNullException"><paramref name="create"/> is null, or it returned null.</exception>
    /// <exception cref="MemoryLeakException">The object was not released.</exception>
    public static ReleasedReport Released(
        Func<object> create,
        LeakOptions? options = null,
        [CallerArgumentExpression(nameof(create))] string? expression = null)
    {
        ArgumentNullException.ThrowIfNull(create);
        var handle = Weakly(create);
        return Judge(handle, options ?? LeakOptions.Default, expression);
    }

    /// <summary>The asynchronous form of <see cref="Released(Func{object}, LeakOptions?, string?)"/>: awaits the task <paramref name="create"/> returns.</summary>
    /// <param name="create">Makes the object, and whatever is meant to let go of it.</param>
    /// <param name="options"><see cref="LeakOptions.Snapshots"/> applies (how the path is found).</param>
    /// <param name="expression">Filled in by the compiler with the code at the call site; quoted in the report.</param>
    /// <exception cref="ArgumentNullException"><paramref name="create"/> is null, or its task's result is null.</exception>
    /// <exception cref="MemoryLeakException">The object was not released.</exception>
    public static async Task<ReleasedReport> ReleasedAsync(
        Func<Task<object>> create,
        LeakOptions? options = null,
        [CallerArgumentExpression(nameof(create))] string? expression = null)
    {
        ArgumentNullException.ThrowIfNull(create);
        var handle = await WeaklyAsync(create).ConfigureAwait(false);
        return Judge(handle, options ?? LeakOptions.Default, expression);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static GCHandle Weakly(Func<object> create) =>
        GCHandle.Alloc(create() ?? throw new ArgumentNullException(nameof(create), "The delegate returned null."), GCHandleType.Weak);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<GCHandle> WeaklyAsync(Func<Task<object>> create) =>
        GCHandle.Alloc(await create().ConfigureAwait(false) ?? throw new ArgumentNullException(nameof(create), "The task's result was null."), GCHandleType.Weak);

    /// <summary>Whether the handle's object is alive, and its type: read in a frame of their own, which keeps no reference.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (bool Alive, string TypeName) Look(GCHandle handle) =>
        handle.Target is { } target ? (true, TypeNames.Of(target.GetType())) : (false, "");

    private static ReleasedReport Judge(GCHandle handle, LeakOptions options, string? expression)
    {
        options.Validate();
        var code = string.IsNullOrWhiteSpace(expression) ? "create" : expression.Trim();
        try
        {
            var typeName = Look(handle).TypeName;
            Series.LiveHeap.Settle();
            var (alive, _) = Look(handle);
            if (!alive)
            {
                return new ReleasedReport { Expression = code, TypeName = typeName, IsReleased = true };
            }

            var report = FindHolder(handle, options.Snapshots) with { Expression = code, TypeName = typeName };
            throw new MemoryLeakException(report.Text);
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>
    /// The retention path of the handle's object: on the route asked for; under <see cref="SnapshotRoute.Auto"/>, on the
    /// dump route too when live snapshots (which see no stacks) do not reach it.
    /// </summary>
    private static ReleasedReport FindHolder(GCHandle handle, SnapshotRoute route)
    {
        if (route == SnapshotRoute.None)
        {
            return new ReleasedReport { Note = "no retention path: snapshots were turned off (LeakOptions.Snapshots = None)" };
        }

        var previous = HeapWalker.FindTarget;
        HeapWalker.FindTarget = GCHandle.ToIntPtr(handle);
        try
        {
            string? note = null;
            try
            {
                using var snapshot = HeapSnapshot.Take(route);
                if (snapshot.TargetPath() is { } path)
                {
                    return new ReleasedReport { RetentionPath = path, Route = snapshot.Route, Note = snapshot.Note };
                }

                if (route != SnapshotRoute.Auto || snapshot.Route == SnapshotRoute.Dump)
                {
                    return new ReleasedReport { Route = snapshot.Route, Note = "no retention path: the snapshot did not reach the object from its roots" + (snapshot.Route == SnapshotRoute.Live ? " (live snapshots see no thread stacks)" : "") };
                }

                note = "not reached from the roots live snapshots see, so the dump route (which sees thread stacks) was asked";
                using var dump = HeapSnapshot.Take(SnapshotRoute.Dump);
                return dump.TargetPath() is { } stackPath
                    ? new ReleasedReport { RetentionPath = stackPath, Route = SnapshotRoute.Dump, Note = note }
                    : new ReleasedReport { Route = SnapshotRoute.Dump, Note = "no retention path: neither route reached the object from its roots" };
            }
            catch (SnapshotUnavailableException ex)
            {
                return new ReleasedReport { Note = (note is null ? "" : note + "; ") + "no retention path: " + ex.Message };
            }
        }
        finally
        {
            HeapWalker.FindTarget = previous;
        }
    }
}
