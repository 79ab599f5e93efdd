using MemoryAssertions.NUnit;
using NUnit.Framework;

namespace NUnitSample;

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

public class OrderCacheTests
{
    private OrderCache _cache = null!;
    private int _next;

    // [SetUp] runs once; only the method body below is repeated by [NoGrowth].
    [SetUp]
    public void SetUp() => _cache = new OrderCache(capacity: 16);

    // The warm-up fills the cache to capacity; from then on Put must not grow the heap.
    [Test, NoGrowth(Warmup = 20)]
    public void Put_keeps_the_cache_bounded()
    {
        _cache.Put(_next++, "order");
    }

    [Test, NoGrowth(Iterations = 10)]
    public async Task Loading_an_order_does_not_leak()
    {
        var summary = await LoadSummaryAsync(42);
        Assert.That(summary, Does.StartWith("order"));
    }

    private static async Task<string> LoadSummaryAsync(int id)
    {
        using var reader = new StringReader($"order {id}\nshipped");
        return await reader.ReadLineAsync() ?? "";
    }
}
