namespace MemoryAssertions.Tests;

/// <summary>
/// Tests that measure the heap or take snapshots. They run one at a time, after the parallel tests: measurement is
/// process-wide. (The engine also serialises checks itself; this keeps snapshot tests from overlapping too.)
/// </summary>
[CollectionDefinition("Heap", DisableParallelization = true)]
public sealed class HeapCollection
{
    public const string Name = "Heap";
}
