using MemoryAssertions.Tests.Fakes;
using Xunit.Abstractions;

namespace MemoryAssertions.Tests.Confirmation;

/// <summary>How growing path groups become leaks, on made-up heaps (exact, independent of the test host).</summary>
public sealed class AttributionTests(ITestOutputHelper output)
{
    private const string Core = "System.Private.CoreLib";

    private LeakReport Measure(FakeHeap heap, Action call)
    {
        var report = heap.Measure(call);
        output.WriteLine(report.Text);
        return report;
    }

    [Fact]
    public void A_leak_spread_at_random_over_two_paths_of_one_holder_is_one_leak_of_its_holder_group()
    {
        // A bag with two internal queues (as a ConcurrentBag keeps one per thread): each item, with its payload, goes to
        // one of them at random, so neither path grows steadily; the holder (the bag's root and the item's type) does.
        var heap = new FakeHeap();
        var bag = heap.Static("MyApp.Bag.Items", "MyApp.Bag", 32);
        var first = bag.Add("_head", "MyApp.Bag+Queue", 32);
        var second = first.Add("_next", "MyApp.Bag+Queue", 32);
        var queues = new[] { first.Add("_array", "MyApp.Item[]", 24 + (8 * 4096), Core), second.Add("_array", "MyApp.Item[]", 24 + (8 * 4096), Core) };
        var random = new Random(12345);
        var report = Measure(heap, () => queues[random.Next(2)].Add("[i]", "MyApp.Item", 32).Add("_payload", "System.Byte[]", 56, Core));

        Assert.Equal(CheckOutcome.Leak, report.Outcome);
        var leak = Assert.Single(report.Leaks);
        Assert.Equal("MyApp.Item", leak.TypeName);
        Assert.Equal("static field MyApp.Bag.Items", leak.Leaked.Path.RootName);
        Assert.Equal(report.SnapshotIterations, leak.Leaked.CountDelta);
        Assert.Equal(1, leak.Leaked.Path.OtherPaths);
        Assert.Equal("System.Byte[]", Assert.Single(leak.Owned).TypeName);
        Assert.Equal(report.SnapshotIterations, leak.Owned[0].CountDelta);

        // 32 B item, 56 B payload, and one 8 B element of the queue's array per item.
        Assert.Equal(96, report.BytesPerCall);
    }

    [Fact]
    public void The_same_type_leaking_into_two_holders_is_two_leaks_and_the_larger_comes_first()
    {
        var heap = new FakeHeap();
        var small = heap.Static("MyApp.Audit.Entries", "MyApp.Entry[]", 24 + (8 * 4096), Core);
        var large = heap.Static("MyApp.Cache.Entries", "MyApp.Entry[]", 24 + (8 * 4096), Core);
        var report = Measure(heap, () =>
        {
            small.Add("[i]", "MyApp.Entry", 24);
            large.Add("[i]", "MyApp.Entry", 24).Add("_value", "System.Byte[]", 1_024, Core);
        });

        Assert.Equal(2, report.Leaks.Count);
        Assert.Equal("static field MyApp.Cache.Entries", report.Leaks[0].Leaked.Path.RootName);
        Assert.Equal("static field MyApp.Audit.Entries", report.Leaks[1].Leaked.Path.RootName);
        Assert.Contains("(1 × MyApp.Entry, owning 1 × System.Byte[]; and 1 more leak)", report.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Objects_of_the_leaked_type_that_others_add_now_and_then_elsewhere_are_not_counted()
    {
        // Beside the leak, another holder of the same type gains an entry in one call interval only (another test's
        // work): a different group, which does not grow with the calls.
        var heap = new FakeHeap();
        var leaked = heap.Static("MyApp.Sessions.All", "MyApp.Session[]", 24 + (8 * 4096), Core);
        var other = heap.Static("MyApp.Tests.Other.Sessions", "MyApp.Session[]", 24 + (8 * 4096), Core);
        heap.BeforeSnapshot = taken =>
        {
            if (taken == 1)
            {
                for (var i = 0; i < 30; i++)
                {
                    other.Add("[i]", "MyApp.Session", 80);
                }
            }
        };
        var report = Measure(heap, () => leaked.Add("[i]", "MyApp.Session", 80));

        var leak = Assert.Single(report.Leaks);
        Assert.Equal("static field MyApp.Sessions.All", leak.Leaked.Path.RootName);
        Assert.Equal(report.SnapshotIterations, leak.Leaked.CountDelta);
        Assert.Equal(88, report.BytesPerCall);

        // The type's instances held both ways are counted in the path's total, and the diff table shows the type's
        // whole growth, other holder included.
        Assert.Equal(leak.Leaked.Path.Instances + 30, leak.Leaked.Path.TotalInstances);
        Assert.Equal(report.SnapshotIterations + 30, report.Diff.Single(d => d.Key == "MyApp.Session").CountDelta);
    }

    [Fact]
    public void A_leak_that_grows_an_array_in_place_is_named_by_the_array()
    {
        // List<int>.Add: no new object, the array is replaced by a larger one in each call interval.
        var heap = new FakeHeap();
        var items = heap.Static("MyApp.Numbers.All", "System.Collections.Generic.List<System.Int32>", 32, Core).Add("_items", "System.Int32[]", 24, Core);
        var report = Measure(heap, () => items.Size += 4);

        var leak = Assert.Single(report.Leaks);
        Assert.Equal("System.Int32[]", leak.TypeName);
        Assert.Equal(0, leak.Leaked.CountDelta);
        Assert.Equal(4, report.BytesPerCall);
        Assert.Contains("(System.Int32[] growing in place)", report.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_thread_pool_that_grows_while_snapshots_are_taken_is_not_weak_evidence()
    {
        // The dump route's diagnostics client can make the pool grow while it writes a dump: that says nothing of the
        // calls, and a plain leak is confirmed once (four snapshots, and one after following the leak).
        var heap = new FakeHeap();
        var items = heap.Static("MyApp.Sessions.All", "MyApp.Session[]", 24 + (8 * 4096), Core);
        heap.BeforeSnapshot = _ => heap.Threads++;
        var report = Measure(heap, () => items.Add("[i]", "MyApp.Session", 32));

        Assert.Equal(CheckOutcome.Leak, report.Outcome);
        Assert.False(report.SecondConfirmation, report.Text);
        Assert.Equal(1, report.Confirmations);
        Assert.Equal(5, report.SnapshotsTaken);
    }

    [Fact]
    public void A_thread_pool_that_grows_while_the_calls_run_asks_for_a_second_confirmation()
    {
        var heap = new FakeHeap();
        var items = heap.Static("MyApp.Sessions.All", "MyApp.Session[]", 24 + (8 * 4096), Core);
        var calls = 0;
        var report = Measure(heap, () =>
        {
            items.Add("[i]", "MyApp.Session", 32);
            heap.Threads += ++calls % 7 == 0 ? 1 : 0;
        });

        Assert.Equal(CheckOutcome.Leak, report.Outcome);
        Assert.True(report.SecondConfirmation, report.Text);
        Assert.Equal(2, report.Confirmations);
        Assert.Equal(9, report.SnapshotsTaken);
    }
}
