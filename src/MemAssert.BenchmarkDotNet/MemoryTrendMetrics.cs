using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;

namespace MemoryAssertions.BenchmarkDotNet;

/// <summary>The metric columns of <see cref="MemoryTrendDiagnoser"/>.</summary>
internal sealed class MemoryTrendMetrics : IMetricDescriptor
{
    /// <summary><c>Retained/op</c>: bytes per operation.</summary>
    public static readonly MemoryTrendMetrics RetainedPerOperation = new(
        "MemoryTrend.RetainedPerOperation",
        "Retained/op",
        "Live heap growth per single operation: the growth rule's fitted slope of the live heap after a full GC, across workload iterations, divided by operations per iteration (1KB = 1024B)",
        "0.##",
        UnitType.Size,
        "B",
        priority: 10);

    /// <summary>The <c>Leak</c> value of a job too short to judge: BenchmarkDotNet prints an unknown value as <c>?</c>.</summary>
    public const double NotJudged = double.NaN;

    /// <summary><c>Leak</c>: Yes (1), No (-1), or ? (<see cref="NotJudged"/>, which BenchmarkDotNet prints as ?).</summary>
    public static readonly MemoryTrendMetrics Leak = new(
        "MemoryTrend.Leak",
        "Leak",
        "Yes when the live heap grew steadily across the workload iterations (MemAssert's growth rule, the verdict of MemAssert.NoLeak before heap confirmation); " +
        $"? when the job ran fewer than {MemoryTrendDiagnoser.MinimumIterations} workload iterations, too few to judge (a leak of one object every P operations needs iterations that each span several P)",
        // Positive, negative and zero sections of a custom numeric format: 1 prints Yes, -1 prints No.
        "'Yes';'No';'No'",
        UnitType.Dimensionless,
        "",
        priority: 12);

    private MemoryTrendMetrics(string id, string displayName, string legend, string numberFormat, UnitType unitType, string unit, int priority)
    {
        Id = id;
        DisplayName = displayName;
        Legend = legend;
        NumberFormat = numberFormat;
        UnitType = unitType;
        Unit = unit;
        PriorityInCategory = priority;
    }

    public string Id { get; }

    public string DisplayName { get; }

    public string Legend { get; }

    public string NumberFormat { get; }

    public UnitType UnitType { get; }

    public string Unit { get; }

    public bool TheGreaterTheBetter => false;

    public int PriorityInCategory { get; }

    public bool GetIsAvailable(Metric metric) => true;
}
