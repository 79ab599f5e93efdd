namespace MemoryAssertions.Tests.Assertions;

/// <summary>
/// A thread that makes an object and holds it in a local of its own frame, and nowhere else, until disposed: the
/// object is reachable from that thread's stack only. Every wait is bounded.
/// </summary>
internal sealed class HeldOnAnotherThread<T> : IDisposable
    where T : class
{
    private readonly ManualResetEventSlim _made = new();
    private readonly ManualResetEventSlim _release = new();
    private readonly Thread _thread;
    private T? _handedOver;

    public HeldOnAnotherThread(Func<T> make)
    {
        _thread = new Thread(() =>
        {
            var local = make();
            Volatile.Write(ref _handedOver, local);
            _made.Set();
            _release.Wait(TimeSpan.FromMinutes(1));
            GC.KeepAlive(local);
        });
        _thread.Start();
        Assert.True(_made.Wait(TimeSpan.FromSeconds(10)), "the thread did not make its object in time");
    }

    /// <summary>The object, once (later calls return null): the caller's reference is its own to drop.</summary>
    public T? TakeOnce() => Interlocked.Exchange(ref _handedOver, null);

    /// <summary>Lets go of the object without handing it over (no local of the caller's frame gets it): only the thread holds it.</summary>
    public void Drop() => Volatile.Write(ref _handedOver, null);

    public void Dispose()
    {
        _handedOver = null;
        _release.Set();
        Assert.True(_thread.Join(TimeSpan.FromSeconds(10)), "the holding thread did not end in time");
        _made.Dispose();
        _release.Dispose();
    }
}
