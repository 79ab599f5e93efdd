using MemoryAssertions.MSTest;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MSTestSample;

/// <summary>A small cache with a bounded size: the kind of code whose leaks [NoGrowth] catches.</summary>
public sealed class OrderCache(int capacity)
{
    private readonly Dictionary<int, string> _orders = [];
    private readonly Queue<int> _order = new();

    public void Put(int id, string summary)
    {
        if (_orders.TryAdd(id, summary))
        {
            _order.Enqueue(id);
        }

        while (_orders.Count > capacity)
        {
            _orders.Remove(_order.Dequeue());
        }
    }

    public int Count => _orders.Count;
}

[TestClass]
public sealed class OrderCacheTests
{
    // One cache shared by every iteration: MSTest creates a new test class instance (and runs [TestInitialize])
    // for each iteration, so state that should live across iterations goes in a static.
    private static readonly OrderCache Cache = new(capacity: 16);
    private static int _next;

    // The warm-up fills the cache to capacity; from then on Put must not grow the heap.
    [NoGrowth(Warmup = 20)] // in place of [TestMethod]
    [DoNotParallelize] // only matters when the assembly uses [Parallelize]
    public void Put_keeps_the_cache_bounded()
    {
        Cache.Put(_next++, "order");
    }

    [NoGrowth(Iterations = 10)]
    [DoNotParallelize]
    public async Task Loading_an_order_does_not_leak()
    {
        var summary = await LoadSummaryAsync(42);
        Assert.StartsWith("order", summary);
    }

    private static async Task<string> LoadSummaryAsync(int id)
    {
        using var reader = new StringReader($"order {id}\nshipped");
        return await reader.ReadLineAsync() ?? "";
    }
}
