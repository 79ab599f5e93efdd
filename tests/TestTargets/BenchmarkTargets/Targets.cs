using BenchmarkDotNet.Attributes;

namespace BenchmarkTargets;

/// <summary>The benchmarks the tests run: one that only allocates, one that keeps what it allocates.</summary>
public class Targets
{
    /// <summary>A 1,000-byte array is 1,024 bytes on a 64-bit heap (header, method table, length, padding).</summary>
    public const int ArrayBytes = 1_024;

    /// <summary>Each kept array also costs its slot in the list (pre-sized, so the list itself never grows).</summary>
    public const int RetainedPerOperation = ArrayBytes + 8;

    public static readonly List<byte[]> Kept = new(capacity: 200_000);

    [Benchmark]
    public byte[] Clean() => new byte[1_000];

    [Benchmark]
    public byte[] Leaking()
    {
        var array = new byte[1_000];
        Kept.Add(array);
        return array;
    }
}
