namespace MemoryAssertions.BenchmarkDotNet;

/// <summary>How <see cref="MemoryTrendDiagnoser"/> judges the live-heap series.</summary>
/// <param name="MaxGrowthPerIteration">
/// Sustained growth of the live heap per workload iteration, in bytes, that is tolerated (default 0: any sustained
/// growth is a leak), as <see cref="LeakOptions.MaxGrowthPerIteration"/>.
/// </param>
/// <param name="SparklineWidth">Characters in the <c>Heap trend</c> column (default 16).</param>
public sealed record MemoryTrendDiagnoserConfig(long MaxGrowthPerIteration = 0, int SparklineWidth = 16);
