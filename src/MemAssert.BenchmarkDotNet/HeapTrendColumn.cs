using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using MemoryAssertions.Reporting;

namespace MemoryAssertions.BenchmarkDotNet;

/// <summary>
/// The <c>Heap trend</c> column: a sparkline of the live heap across the workload iterations, read from the
/// <see cref="MemoryTrendDiagnoser"/> in each benchmark's config.
/// </summary>
public sealed class HeapTrendColumn : IColumn
{
    /// <summary>The column.</summary>
    public static readonly IColumn Default = new HeapTrendColumn();

    private HeapTrendColumn()
    {
    }

    /// <inheritdoc />
    public string Id => "MemoryTrend.HeapTrend";

    /// <inheritdoc />
    public string ColumnName => "Heap trend";

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Metric;

    /// <inheritdoc />
    public int PriorityInCategory => 11;

    /// <inheritdoc />
    public bool IsNumeric => false;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend => "Live heap after a full GC at the end of each workload iteration, lowest ▁ to highest █";

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        var diagnoser = MemoryTrendDiagnoser.Find(benchmarkCase);
        if (diagnoser?.GetResult(benchmarkCase) is not { } result)
        {
            return "NA";
        }

        return result.LiveBytes.Count == 0 ? "?" : Sparkline.Render(result.LiveBytes, diagnoser.Config.SparklineWidth);
    }

    /// <inheritdoc />
    public bool IsAvailable(Summary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return summary.BenchmarksCases.Any(c => MemoryTrendDiagnoser.Find(c) is not null);
    }

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc />
    public override string ToString() => ColumnName;
}
