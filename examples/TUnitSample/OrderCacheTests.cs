using MemoryAssertions.TUnit;

namespace TUnitSample;

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
    // TUnit creates the class once per test; only the method body below is repeated by [NoGrowth].
    private readonly OrderCache _cache = new(capacity: 16);
    private int _next;

    // The warm-up fills the cache to capacity; from then on Put must not grow the heap.
    [Test, NoGrowth(Warmup = 20)]
    public void Put_keeps_the_cache_bounded() => _cache.Put(_next++, "order");

    [Test, NoGrowth(Iterations = 10)]
    public async Task Loading_an_order_does_not_leak()
    {
        var summary = await LoadSummaryAsync(42);
        await Assert.That(summary).StartsWith("order");
    }

    // Each [Arguments] case is a check of its own.
    [Test, NoGrowth(Warmup = 20)]
    [Arguments(1)]
    [Arguments(8)]
    public void Put_in_batches_keeps_the_cache_bounded(int batch)
    {
        for (var i = 0; i < batch; i++)
        {
            _cache.Put(_next++, "order");
        }
    }

    private static async Task<string> LoadSummaryAsync(int id)
    {
        using var reader = new StringReader($"order {id}\nshipped");
        return await reader.ReadLineAsync() ?? "";
    }
}
