namespace MemoryAssertions.BenchmarkDotNet;

/// <summary>What <see cref="MemoryTrendDiagnoser"/> measured for one benchmark case.</summary>
/// <param name="LiveBytes">The live heap, in bytes, after each actual workload iteration (after a full GC).</param>
/// <param name="OperationsPerIteration">Operations each of those iterations ran.</param>
/// <param name="Verdict">The growth rule's verdict on <paramref name="LiveBytes"/>; null with fewer than 3 iterations.</param>
public sealed record MemoryTrendResult(IReadOnlyList<long> LiveBytes, long OperationsPerIteration, GrowthVerdict? Verdict)
{
    /// <summary>Fitted growth of the live heap per operation, in bytes; NaN when there is no verdict.</summary>
    public double RetainedBytesPerOperation =>
        Verdict is null || OperationsPerIteration <= 0 ? double.NaN : Verdict.BytesPerIteration / OperationsPerIteration;

    /// <summary>True when the live heap grew in every segment of the series, as <c>MemAssert.NoLeak</c> would judge it.</summary>
    public bool IsLeak => Verdict?.IsGrowing == true;
}
