namespace MemoryAssertions.Tests.Snapshots;

/// <summary>Instances of test-only types with known counts, held by statics, for comparing snapshot routes.</summary>
internal static class LiveProbes
{
    public static readonly List<LiveProbe> Items = [];

    /// <summary>Arrays of a type that no list's backing array shares, so their count is exactly what a test added.</summary>
    public static readonly List<LiveCell[]> Arrays = [];
}

internal sealed class LiveProbe
{
    public int Value { get; set; }
}

internal sealed class LiveCell
{
    public LiveProbe? Probe { get; set; }
}

internal sealed class StackHeldItem
{
    public long[] Payload { get; } = new long[16];
}
