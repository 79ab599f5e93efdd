using BenchmarkDotNet.Configs;

namespace MemoryAssertions.BenchmarkDotNet;

/// <summary>Adds <see cref="MemoryTrendDiagnoser"/> to a BenchmarkDotNet config.</summary>
public static class MemoryTrendConfigExtensions
{
    /// <summary>
    /// Adds the diagnoser (<see cref="MemoryTrendDiagnoser.Default"/> unless another is given) and the
    /// <c>Heap trend</c> column. <c>Retained/op</c> and <c>Leak</c> are the diagnoser's metrics and appear with it alone.
    /// </summary>
    public static ManualConfig AddMemoryTrend(this ManualConfig config, MemoryTrendDiagnoser? diagnoser = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.AddDiagnoser(diagnoser ?? MemoryTrendDiagnoser.Default).AddColumn(HeapTrendColumn.Default);
    }

    /// <summary>The same for an immutable config: returns a new config with the diagnoser and the column added.</summary>
    public static ManualConfig AddMemoryTrend(this IConfig config, MemoryTrendDiagnoser? diagnoser = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return ManualConfig.Create(config).AddMemoryTrend(diagnoser);
    }
}
