using System.Buffers;
using System.Collections.Concurrent;

namespace LeakTargets;

// Purpose-built targets with known heap shapes (as ClrMD's TestTargets): each leaking scenario really retains
// something on every call (or every 10th), each clean one really does not. Holders.Reset() drops what leaked.

/// <summary>A leaked object type only the static-list scenario creates, so its count is exact.</summary>
public sealed class LeakedItem
{
    public int Value { get; set; }
}

/// <summary>A leaked session that owns a buffer: one leak of a session, not two.</summary>
public sealed class Session
{
    public byte[] Buffer { get; } = new byte[256];

    public int Id { get; init; }
}

public sealed class LeakedLarge
{
    public byte[] Payload { get; } = new byte[100_000];
}

public sealed class SparseItem;

public sealed class AsyncItem;

public sealed class CacheEntry
{
    public long Key { get; init; }

    public int[] Data { get; } = new int[4];
}

public sealed class Subscriber
{
    public int Seen { get; private set; }

    public void OnTick(object? sender, EventArgs e) => Seen++;
}

public sealed class SecretHolder(string secret)
{
    public string Secret { get; } = secret;
}

/// <summary>Owns a timer whose callback points back at it: never disposed, the runtime's timer queue keeps both alive.</summary>
public sealed class Poller
{
    private readonly Timer _timer;

    public Poller() => _timer = new Timer(_ => Poll(), null, TimeSpan.FromHours(1), TimeSpan.FromHours(1));

    public int Polls { get; private set; }

    public void Dispose() => _timer.Dispose();

    private void Poll() => Polls++;
}

public sealed class Finalizable
{
    private readonly byte[] _buffer = new byte[256];

    ~Finalizable()
    {
        _ = _buffer.Length;
    }
}

public sealed class ExpensiveSingleton
{
    public byte[] Table { get; } = new byte[64 * 1024];
}

public static class Publisher
{
    public static event EventHandler? Tick;

    public static void Raise() => Tick?.Invoke(null, EventArgs.Empty);

    public static void Clear() => Tick = null;
}

/// <summary>A generic holder: each instantiation has statics of its own.</summary>
public static class Cache<T>
{
    public static readonly List<T> Items = [];
}

public static class Holders
{
    public static readonly List<LeakedItem> Items = [];
    public static readonly List<Session> Sessions = [];
    public static byte[]? Preloaded;
    public static readonly List<LeakedLarge> Large = [];
    public static readonly List<SparseItem> Sparse = [];
    public static readonly List<SparseItem> EveryTwentieth = [];
    public static readonly List<LeakedItem[]> Batches = [];
    public static readonly List<byte[]> SparseBlocks = [];
    public static readonly ConcurrentBag<AsyncItem> AsyncItems = [];
    public static readonly Dictionary<long, CacheEntry> Cache = [];
    public static readonly List<Poller> Pollers = [];
    public static readonly List<SecretHolder> Secrets = [];
    public static readonly Dictionary<int, CacheEntry> Bounded = [];
    private static readonly Lazy<ExpensiveSingleton> Singleton = new(() => new ExpensiveSingleton());
    private static long _calls;

    public static int SingletonSize => Singleton.Value.Table.Length;

    /// <summary>Allocated here, not in the test method, whose (Debug) frame would keep the array alive after it is dropped.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static void Preload(int bytes) => Preloaded = new byte[bytes];

    public static long NextCall() => Interlocked.Increment(ref _calls);

    /// <summary>Sets the call counter: the next call is call <paramref name="calls"/> + 1.</summary>
    public static void SetCalls(long calls) => Interlocked.Exchange(ref _calls, calls);

    public static void Reset()
    {
        Items.Clear();
        Sessions.Clear();
        Preloaded = null;
        Large.Clear();
        Sparse.Clear();
        SparseBlocks.Clear();
        AsyncItems.Clear();
        Cache.Clear();
        Secrets.Clear();
        Bounded.Clear();
        foreach (var poller in Pollers)
        {
            poller.Dispose();
        }

        Pollers.Clear();
        Publisher.Clear();
    }
}

public static class Leaks
{
    public static void StaticList() => Holders.Items.Add(new LeakedItem());

    public static void SessionWithBuffer() => Holders.Sessions.Add(new Session());

    public static void GenericStatic() => Cache<LeakedItem>.Items.Add(new LeakedItem());

    public static void EventHandlerNeverRemoved() => Publisher.Tick += new Subscriber().OnTick;

    public static void UnboundedCache()
    {
        var key = Holders.NextCall();
        Holders.Cache[key] = new CacheEntry { Key = key };
    }

    public static void UndisposedTimer() => _ = new Poller();

    /// <summary>A kilobyte every tenth call: as sparse as <see cref="EveryTenthCall"/>, in steps larger than the host's noise.</summary>
    public static void KilobyteEveryTenthCall()
    {
        if (Holders.NextCall() % 10 == 0)
        {
            Holders.SparseBlocks.Add(new byte[1_000]);
        }
    }

    /// <summary>20,000 small objects per call: a big leak in objects, for a heap under a hard limit.</summary>
    public static void ManyObjectsPerCall()
    {
        var batch = new LeakedItem[20_000];
        for (var i = 0; i < batch.Length; i++)
        {
            batch[i] = new LeakedItem();
        }

        Holders.Batches.Add(batch);
    }

    public static void EveryTwentiethCall()
    {
        if (Holders.NextCall() % 20 == 0)
        {
            Holders.EveryTwentieth.Add(new SparseItem());
        }
    }

    public static void EveryTenthCall()
    {
        if (Holders.NextCall() % 10 == 0)
        {
            Holders.Sparse.Add(new SparseItem());
        }
    }

    public static void LargeObject() => Holders.Large.Add(new LeakedLarge());

    public static async Task Async()
    {
        await Task.Yield();
        Holders.AsyncItems.Add(new AsyncItem());
    }

    public static void Secret(string secret) => Holders.Secrets.Add(new SecretHolder(secret));
}

public static class Clean
{
    public static void NoOp()
    {
    }

    public static void GarbageOnly()
    {
        var list = new List<int>(1_000);
        for (var i = 0; i < 1_000; i++)
        {
            list.Add(i);
        }

        _ = string.Concat("a", list.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static void LazyStatic() => _ = Holders.SingletonSize;

    public static void BoundedCache()
    {
        var key = (int)(Holders.NextCall() % 16);
        Holders.Bounded[key] = new CacheEntry { Key = key };
    }

    public static void ArrayPoolRentReturn()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4_096);
        buffer[0] = 1;
        ArrayPool<byte>.Shared.Return(buffer);
    }

    public static void SubscribeAndUnsubscribe()
    {
        var subscriber = new Subscriber();
        Publisher.Tick += subscriber.OnTick;
        Publisher.Raise();
        Publisher.Tick -= subscriber.OnTick;
    }

    public static void ThreadPoolTask() => Task.Run(() => new byte[1_024].Length).Wait();

    public static void CaughtException()
    {
        try
        {
            throw new InvalidOperationException("expected");
        }
        catch (InvalidOperationException)
        {
        }
    }

    public static void FinalizableGarbage() => _ = new Finalizable();

    public static async Task AsyncNoOp() => await Task.Yield();
}

/// <summary>A thread that allocates and drops garbage (and briefly holds some) until disposed.</summary>
public sealed class GarbageChurner : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stop;

    public GarbageChurner()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "churner" };
        _thread.Start();
    }

    public long Allocations { get; private set; }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }

    private void Run()
    {
        var random = new Random(7);
        while (!_stop)
        {
            var held = new List<byte[]>();
            for (var i = 0; i < random.Next(1, 64); i++)
            {
                held.Add(new byte[random.Next(16, 8_192)]);
            }

            Allocations += held.Count;
            Thread.Yield();
        }
    }
}
