using MemoryAssertions.Snapshots;

namespace MemoryAssertions.Tests.Snapshots;

/// <summary>A runtime type's name as snapshots print it, so that a type given as <c>T</c> is found in a snapshot.</summary>
public sealed class TypeNameTests
{
    private static readonly object[] Probes =
    [
        new NameProbe(),
        new NameProbe.Inner(),
        new NameProbe.Generic<int>(),
        new NameProbe.Generic<int>.Deeper<string>(),
        new List<Dictionary<string, NameProbe>>(),
        new NameProbe[1],
        new int[1, 1],
        new long[1][],
    ];

    [Fact]
    public void Every_probe_is_found_in_a_live_snapshot_under_the_name_made_from_its_runtime_type()
    {
        GC.KeepAlive(Probes);
        using var snapshot = HeapSnapshot.Take(SnapshotRoute.Live);
        var names = snapshot.GetStatistics().Select(s => s.Key).ToHashSet(StringComparer.Ordinal);

        Assert.All(Probes, probe => Assert.Contains(TypeNames.Of(probe.GetType()), names));
        Assert.Equal("MemoryAssertions.Tests.Snapshots.NameProbe+Generic<System.Int32>+Deeper<System.String>", TypeNames.Of(typeof(NameProbe.Generic<int>.Deeper<string>)));
        Assert.Equal("System.Int32[,]", TypeNames.Of(typeof(int[,])));
    }
}

internal sealed class NameProbe
{
    internal sealed class Inner;

    internal sealed class Generic<T>
    {
        internal sealed class Deeper<TOther>;
    }
}
