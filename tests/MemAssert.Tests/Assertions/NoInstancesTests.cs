using System.Collections.Concurrent;

namespace MemoryAssertions.Tests.Assertions;

/// <summary>
/// <see cref="MemAssert.NoInstances{T}(LeakOptions?)"/> with real objects: none, held by a static, held only by a local
/// on another thread's stack; each test has types of its own, so that tests running beside it do not move its counts.
/// </summary>
public sealed class NoInstancesTests
{
    [Fact]
    public void No_live_instance_passes_and_says_the_stacks_were_seen()
    {
        // Made in a frame of its own: in a Debug build this method's frame would keep a temporary of its own alive (which
        // the dump route, rightly, reports as held by a local on this thread's stack).
        MakeAndDrop();

        var report = MemAssert.NoInstances<NeverKept>();

        Assert.Equal(0, report.Count);
        Assert.Equal(SnapshotRoute.Dump, report.Route);
        Assert.True(report.StacksSeen);
        // Where the live route is taken first, its "none" is checked on the dump route; elsewhere (.NET 8) the dump route
        // is taken at once, and the report says why.
        Assert.Contains(
            MemoryAssertions.Snapshots.SnapshotRoutes.LiveNotTakenReason(null) is null ? "none on the live route, so the dump route (which sees stacks) was asked" : "the live route was unavailable (",
            report.Text,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Instances_held_by_a_static_fail_with_the_count_the_bytes_and_the_static_that_holds_them()
    {
        // Added in a frame of their own: a Debug build's frame here would hold its temporaries too (and the dump route
        // would rightly name this thread's stack as their holder).
        AddToStatic();
        try
        {
            var ex = Assert.Throws<MemoryLeakException>(() => MemAssert.NoInstances<HeldByStatic>());

            Assert.StartsWith($"2 live instances of {typeof(HeldByStatic).FullName} after a full collection (", ex.Message, StringComparison.Ordinal);
            Assert.Contains($"static field {typeof(HeldByStatic).FullName}.All", ex.Message, StringComparison.Ordinal);
            Assert.Contains(typeof(DerivedFromHeldByStatic).FullName!, ex.Message, StringComparison.Ordinal); // derived types count
        }
        finally
        {
            HeldByStatic.All.Clear();
        }
    }

    [Fact]
    public void An_instance_held_only_by_a_local_on_another_threads_stack_is_found_on_the_dump_route()
    {
        using var holder = new HeldOnAnotherThread<HeldOnAStack>(() => new HeldOnAStack());
        holder.Drop();

        var ex = Assert.Throws<MemoryLeakException>(() => MemAssert.NoInstances<HeldOnAStack>());

        Assert.StartsWith($"1 live instance of {typeof(HeldOnAStack).FullName}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Seen on the dump route, which sees thread stacks", ex.Message, StringComparison.Ordinal);
        Assert.Contains("local on the stack of thread ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_type_pattern_matches_full_names_and_the_live_route_says_it_does_not_see_stacks()
    {
        PatternProbe.Kept.Enqueue(new PatternProbe());
        try
        {
            var ex = Assert.Throws<MemoryLeakException>(
                () => MemAssert.NoInstances("MemoryAssertions.Tests.Assertions.Pattern*", new LeakOptions { Snapshots = SnapshotRoute.Live }));
            Assert.StartsWith("1 live instance of MemoryAssertions.Tests.Assertions.Pattern* after a full collection", ex.Message, StringComparison.Ordinal);
            Assert.Contains("Seen on the live route, which sees no thread stacks", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            PatternProbe.Kept.Clear();
        }

        Assert.Throws<ArgumentException>(() => MemAssert.NoInstances(" "));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void MakeAndDrop() => _ = new NeverKept();

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void AddToStatic()
    {
        HeldByStatic.All.Add(new HeldByStatic());
        HeldByStatic.All.Add(new DerivedFromHeldByStatic());
    }

    private sealed class NeverKept;

    private class HeldByStatic
    {
        public static readonly List<HeldByStatic> All = [];
    }

    private sealed class DerivedFromHeldByStatic : HeldByStatic;

    private sealed class HeldOnAStack
    {
        public long[] Payload { get; } = new long[8];
    }
}

internal sealed class PatternProbe
{
    public static readonly ConcurrentQueue<PatternProbe> Kept = new();
}
