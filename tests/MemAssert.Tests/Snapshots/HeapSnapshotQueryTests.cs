namespace MemoryAssertions.Tests.Snapshots;

/// <summary>Typed queries of a snapshot: instances of a type (derived included), of types matching a predicate.</summary>
public sealed class HeapSnapshotQueryTests
{
    private static readonly List<QueryBase> Held = [new QueryBase(), new QueryDerived(), new QueryDerived()];

    [Fact]
    public void Instances_of_a_type_count_its_derived_types_and_a_predicate_sees_name_namespace_assembly_and_interfaces()
    {
        GC.KeepAlive(Held);
        using var snapshot = HeapSnapshot.Take(SnapshotRoute.Live);

        var all = snapshot.InstancesOf<QueryBase>();
        Assert.Equal(3, all.Count);
        Assert.Equal(typeof(QueryBase).FullName, all.Key);
        Assert.Equal(2, snapshot.InstancesOf<QueryDerived>().Count);
        Assert.Equal(2, snapshot.InstancesOf(t => t.Is<IQueryMarker>()).Count);
        Assert.Equal(3, snapshot.InstancesOf(t => t.Namespace == typeof(QueryBase).Namespace && t.Name.Contains("Query", StringComparison.Ordinal) && !t.Name.EndsWith("[]", StringComparison.Ordinal)).Count);
        var type = Assert.Single(snapshot.Types, t => t.Name == typeof(QueryDerived).FullName);
        Assert.Equal(typeof(QueryDerived), type.RuntimeType);
        Assert.Equal("MemAssert.Tests", type.Assembly);
        Assert.True(all.Bytes >= 3 * 24);
    }
}

internal interface IQueryMarker;

internal class QueryBase;

internal sealed class QueryDerived : QueryBase, IQueryMarker;

/// <summary>Generations and the diff by retention path group.</summary>
public sealed class HeapSnapshotGenerationAndPathDiffTests
{
    private static readonly List<GenerationProbe> Old = [];
    private static readonly List<GenerationProbe> Grown = [];

    [Fact]
    public void Instances_are_counted_per_generation_and_a_diff_by_path_names_the_holder_that_gained_them()
    {
        Old.Add(new GenerationProbe());
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var before = HeapSnapshot.Take(SnapshotRoute.Live);
        var fresh = new GenerationProbe();
        Grown.AddRange([fresh, new GenerationProbe(), new GenerationProbe()]);
        using var after = HeapSnapshot.Take(SnapshotRoute.Live);

        // The old one survived two full GCs: generation 2, and nothing younger. The new ones are counted in some
        // generation (the live route's own GC before its walk has promoted them out of generation 0 by then).
        Assert.Equal([0L, 0, 1, 0, 0], Enumerable.Range(0, 5).Select(g => before.InstancesOf<GenerationProbe>(generation: g).Count));
        Assert.Equal(4, Enumerable.Range(0, 5).Sum(g => after.InstancesOf<GenerationProbe>(generation: g).Count));
        Assert.Equal(1, before.InstancesOf(t => t.Is<GenerationProbe>(), generation: 2).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => after.InstancesOf<GenerationProbe>(generation: 5));

        // Within views of the probe type: the test host's own objects (runner messages) grow beside it.
        bool Probe(string name) => name == typeof(GenerationProbe).FullName;
        var grew = Assert.Single(after.Where(Probe).DiffByPath(before.Where(Probe)));
        Assert.Equal(3, grew.CountDelta);
        Assert.Equal($"static field {typeof(HeapSnapshotGenerationAndPathDiffTests).FullName}.Grown", grew.Path.RootName);
        GC.KeepAlive(fresh);
    }
}

internal sealed class GenerationProbe;
