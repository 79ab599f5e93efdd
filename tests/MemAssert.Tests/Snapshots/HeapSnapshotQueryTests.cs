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
