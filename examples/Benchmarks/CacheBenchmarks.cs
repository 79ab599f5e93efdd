using BenchmarkDotNet.Attributes;
using MemoryAssertions.BenchmarkDotNet;

namespace Benchmarks;

/// <summary>
/// Two ways to memoise a parse. Both allocate about the same per call (MemoryDiagnoser's Allocated column); only the
/// memory-trend columns tell them apart: the unbounded cache keeps every result, the bounded one does not.
/// </summary>
[MemoryDiagnoser]
[MemoryTrendDiagnoser]
public class CacheBenchmarks
{
    private static readonly Dictionary<int, int[]> Unbounded = [];
    private static readonly Dictionary<int, int[]> Bounded = [];
    private int _next;

    /// <summary>Clean: keeps at most 64 entries, so the live heap stays flat.</summary>
    [Benchmark(Baseline = true)]
    public int[] BoundedCache()
    {
        var key = _next++ % 64;
        if (!Bounded.TryGetValue(key, out var value))
        {
            value = Parse(key);
            Bounded[key] = value;
        }

        return Parse(key + 1);
    }

    /// <summary>Leaking: every call adds a new key, so the cache (a static) grows by one entry per call.</summary>
    [Benchmark]
    public int[] UnboundedCache()
    {
        var key = _next++;
        if (!Unbounded.TryGetValue(key, out var value))
        {
            value = Parse(key);
            Unbounded[key] = value;
        }

        return Parse(key + 1);
    }

    private static int[] Parse(int seed)
    {
        var result = new int[16];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = seed + i;
        }

        return result;
    }
}
