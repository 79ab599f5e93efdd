namespace MemoryAssertions.Tests.Snapshots;

/// <summary>Instances of test-only types with known counts, held by statics, for comparing snapshot routes.</summary>
internal static class LiveProbes
{
    public static readonly List<LiveProbe> Items = [];

    public static readonly List<LiveProbe[]> Arrays = [];
}

internal sealed class LiveProbe
{
    public int Value { get; set; }
}

internal sealed class StackHeldItem
{
    public long[] Payload { get; } = new long[16];
}
