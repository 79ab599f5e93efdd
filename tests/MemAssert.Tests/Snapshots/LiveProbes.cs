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

/// <summary>A graph whose references run through every kind of field a path can name: for comparing routes' field names.</summary>
internal static class FieldProbes
{
    public static FieldProbeRoot? Root;

    /// <summary>A boxed struct: its fields are named as in the struct.</summary>
    public static object? Boxed;
}

internal struct BoxedProbe
{
    public int Id;

    public FieldTargetInBox Held;
}

internal sealed class FieldTargetInBox;

internal class FieldProbeBase
{
    public object? BaseHeld;
}

internal sealed class FieldProbeRoot : FieldProbeBase
{
    public long Number;

    public KeyValuePair<int, FieldTargetInPair> Pair;

    public Dictionary<int, FieldTargetInMap> Map { get; } = [];

    public GenericBox<FieldTargetInTuple>? Box;
}

internal sealed class GenericBox<T>
{
    public (int Id, T Value) Tuple;
}

internal sealed class FieldTargetInPair;

internal sealed class FieldTargetInMap;

internal sealed class FieldTargetInTuple;

internal sealed class FieldTargetInBase;

internal sealed class CoincidentA;

internal sealed class CoincidentB;

internal sealed class CoincidentC;
