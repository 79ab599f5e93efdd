using BenchmarkDotNet.Configs;

namespace MemoryAssertions.BenchmarkDotNet;

/// <summary>
/// Adds <see cref="MemoryTrendDiagnoser"/> and its columns (<c>Retained/op</c>, <c>Heap trend</c>, <c>Leak</c>) to the
/// benchmarks of the class or assembly it is applied to.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class MemoryTrendDiagnoserAttribute : Attribute, IConfigSource
{
    /// <summary>Uses <see cref="MemoryTrendDiagnoser.Default"/>.</summary>
    public MemoryTrendDiagnoserAttribute()
        : this(0)
    {
    }

    /// <summary>Tolerates sustained live-heap growth up to <paramref name="maxGrowthPerIteration"/> bytes per workload iteration.</summary>
    public MemoryTrendDiagnoserAttribute(long maxGrowthPerIteration)
    {
        MaxGrowthPerIteration = maxGrowthPerIteration;
        var diagnoser = maxGrowthPerIteration == 0
            ? MemoryTrendDiagnoser.Default
            : new MemoryTrendDiagnoser(new MemoryTrendDiagnoserConfig(maxGrowthPerIteration));
        Config = ManualConfig.CreateEmpty().AddMemoryTrend(diagnoser);
    }

    /// <summary>Sustained growth per workload iteration, in bytes, that is tolerated.</summary>
    public long MaxGrowthPerIteration { get; }

    /// <inheritdoc />
    public IConfig Config { get; }
}
