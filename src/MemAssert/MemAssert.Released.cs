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
        options ??= LeakOptions.Default;
        options.Validate();
        var handle = Weakly(create);
        try
        {
            return CheckGate.Run(() => Judge(handle, options, CodeOf(expression), othersUnwinding: false));
        }
        finally
        {
            handle.Free();
        }
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
        options ??= LeakOptions.Default;
        options.Validate();
        var pending = new Pending(Start(create));
        // The judging must run in no frame that made the object or held its task (in Debug builds their temporaries hold
        // them): not inline below the thread that completes the task, so it waits for a signal whose continuations run
        // on a thread-pool thread of their own (the completing thread unwinds meanwhile; Judge allows for that); not in
        // this frame either, which called create, so it always yields, even when the task was done at once. Nor does
        // this frame await the task itself: its awaiter would hold it.
        await pending.Completed().ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        var handle = pending.TakeWeakly();
        try
        {
            return await CheckGate.RunAsync(() => Task.FromResult(Judge(handle, options, CodeOf(expression), othersUnwinding: true))).ConfigureAwait(false);
        }
        finally
        {
            handle.Free();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static GCHandle Weakly(Func<object> create) =>
        GCHandle.Alloc(create() ?? throw new ArgumentNullException(nameof(create), "The delegate returned null."), GCHandleType.Weak);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Task<object> Start(Func<Task<object>> create) =>
        create() ?? throw new ArgumentNullException(nameof(create), "The delegate returned a null task.");

    /// <summary>The task of <see cref="ReleasedAsync"/>'s object, let go once its result is held weakly (the state machine keeps this box, not the task).</summary>
    private sealed class Pending(Task<object> task)
    {
        private Task<object>? _task = task;

        /// <summary>Completes, with continuations that run asynchronously, once the task has.</summary>
        public Task Completed()
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _task!.ContinueWith(static (_, state) => ((TaskCompletionSource)state!).SetResult(), done, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return done.Task;
        }

        /// <summary>A weak handle to the task's result (its exception thrown if it failed); the task is let go.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public GCHandle TakeWeakly()
        {
            var task = _task!;
            _task = null;
            return GCHandle.Alloc(task.GetAwaiter().GetResult() ?? throw new ArgumentNullException("create", "The task's result was null."), GCHandleType.Weak);
        }
    }

    /// <summary>Whether the handle's object is alive, and its type: read in a frame of their own, which keeps no reference.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (bool Alive, string TypeName) Look(GCHandle handle) =>
        handle.Target is { } target ? (true, TypeNames.Of(target.GetType())) : (false, "");

    /// <summary>The longest of <see cref="Judge"/>'s waits (they double from 10 ms) for the thread that completed an awaited object to leave the frames that made it.</summary>
    private static readonly TimeSpan UnwindWait = TimeSpan.FromMilliseconds(200);

    private static string CodeOf(string? expression) => string.IsNullOrWhiteSpace(expression) ? "create" : expression.Trim();

    /// <summary>Judges the handle's object after a full collection, under the gate: released, or held (the report gives its path).</summary>
    /// <param name="handle">A weak handle to the object.</param>
    /// <param name="options">The check's options.</param>
    /// <param name="code">The call site's code.</param>
    /// <param name="othersUnwinding">
    /// The object was made on another thread, which may still be leaving the frames that made it (and, in Debug builds,
    /// hold it in their locals): an object still alive after the first collection is collected again after short waits
    /// (about 300 ms in all) before it counts as held. A retained object stays alive through every one.
    /// </param>
    private static ReleasedReport Judge(GCHandle handle, LeakOptions options, string code, bool othersUnwinding)
    {
        var typeName = Look(handle).TypeName;
        Series.LiveHeap.Settle();
        var (alive, _) = Look(handle);
        for (var wait = 10; alive && othersUnwinding && wait <= UnwindWait.TotalMilliseconds; wait *= 2)
        {
            Thread.Sleep(wait);
            Series.LiveHeap.Settle();
            (alive, _) = Look(handle);
        }

        if (!alive)
        {
            return new ReleasedReport { Expression = code, TypeName = typeName, IsReleased = true };
        }

        var report = FindHolder(handle, options.Snapshots) with { Expression = code, TypeName = typeName };
        throw new MemoryLeakException(report.Text);
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
