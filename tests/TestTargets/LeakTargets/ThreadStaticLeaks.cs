using MemoryAssertions;

namespace LeakTargets;

/// <summary>A leaked object type only the thread-static scenarios create, so its count is exact.</summary>
public sealed class ThreadStaticItem
{
    public int Value { get; set; }
}

/// <summary>
/// Leaks held only by a <see cref="ThreadStaticAttribute"/> field: on the thread that calls the check, and on a
/// long-lived worker thread that the checked code hands its work to. Since .NET 9 a thread static is held by the
/// thread's own storage, not by a GC handle.
/// </summary>
internal static class ThreadStaticLeaks
{
    /// <summary>The leaks on the calling thread (<c>thread-static</c>) and on a worker thread (<c>thread-static-worker</c>).</summary>
    public static IEnumerable<KeyValuePair<string, Action<SnapshotRoute>>> Scenarios =>
    [
        new("thread-static", route => Leak("thread-static", CallingThread, Environment.CurrentManagedThreadId, route)),
        new("thread-static-worker", route =>
        {
            using var worker = new Worker();
            Leak("thread-static-worker", () => worker.Run(CallingThread), worker.ManagedThreadId, route);
        }),
    ];

    /// <summary>Adds one item to the calling thread's own list.</summary>
    private static void CallingThread() => (Holder.Items ??= []).Add(new ThreadStaticItem());

    /// <summary>Measures what <paramref name="leak"/> retains per call by hand, then checks it; the expected root is the field on <paramref name="thread"/>.</summary>
    private static void Leak(string name, Action leak, int thread, SnapshotRoute route)
    {
        var retained = Program.RetainedPerCall(leak);
        var root = $"thread-static field {typeof(Holder).FullName}.{nameof(Holder.Items)} (thread {thread})";
        Program.Emit(name, MemAssert.Measure(leak, new LeakOptions { Snapshots = route }), retained, root);
    }

    private static class Holder
    {
        [ThreadStatic]
        public static List<ThreadStaticItem>? Items;
    }

    /// <summary>A thread that lives as long as the scenario and runs the work handed to it, one item at a time.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly System.Collections.Concurrent.BlockingCollection<(Action Work, ManualResetEventSlim Done)> _queue = [];
        private readonly Thread _thread;

        public Worker()
        {
            _thread = new Thread(() =>
            {
                foreach (var (work, done) in _queue.GetConsumingEnumerable())
                {
                    work();
                    done.Set();
                }
            })
            { IsBackground = true, Name = "long-lived worker" };
            _thread.Start();
        }

        public int ManagedThreadId => _thread.ManagedThreadId;

        /// <summary>Runs <paramref name="work"/> on the worker and waits for it, at most 30 s.</summary>
        public void Run(Action work)
        {
            using var done = new ManualResetEventSlim();
            _queue.Add((work, done));
            if (!done.Wait(TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException("the worker thread did not run its work within 30 s.");
            }
        }

        public void Dispose()
        {
            _queue.CompleteAdding();
            _thread.Join(TimeSpan.FromSeconds(30));
            _queue.Dispose();
        }
    }
}
