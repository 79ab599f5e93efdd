using System.Text.RegularExpressions;
using MemoryAssertions.Reporting;
using MemoryAssertions.Snapshots;
using MemoryAssertions.Tests.Fakes;

namespace MemoryAssertions.Tests.Reporting;

/// <summary>
/// The report text, pinned end to end: each scenario runs a whole check on a made-up heap (<see cref="FakeHeap"/>), from
/// the live-bytes series through the confirmations to the text, and compares the text with an approved file
/// (Approved/*.approved.txt). Only the elapsed times are scrubbed.
/// </summary>
public sealed partial class ReportTextTests
{
    private const string Core = "System.Private.CoreLib";

    /// <summary>
    /// A suite's heap: an earlier test left 40 sessions (each with its buffer) in a list of its own, and the runtime
    /// holds 100 byte arrays under a strong handle. The check leaks a session with a 256-byte buffer into another list
    /// per call; that list's array doubles as it fills.
    /// </summary>
    private static (FakeHeap Heap, Action Handle) SessionLeak()
    {
        var heap = new FakeHeap();
        var earlier = heap.Static("MyApp.Tests.EarlierTests.Sessions", "System.Collections.Generic.List<MyApp.Session>", 32, Core)
            .Add("_items", "MyApp.Session[]", 24 + (8 * 64), Core);
        for (var i = 0; i < 40; i++)
        {
            earlier.Add("[i]", "MyApp.Session", 80).Add("_buffer", "System.Byte[]", 280, Core);
        }

        var cache = heap.Root(RootNames.Handle("strong"), "System.Object[]", 24 + (8 * 100), Core);
        for (var i = 0; i < 100; i++)
        {
            cache.Add("[i]", "System.Byte[]", 1_048, Core);
        }

        var items = heap.Static("MyApp.Holders.Sessions", "System.Collections.Generic.List<MyApp.Session>", 32, Core)
            .Add("_items", "MyApp.Session[]", 24 + (8 * 4), Core);
        var capacity = 4;
        return (heap, () =>
        {
            if (items.Children.Count == capacity)
            {
                capacity *= 2;
                items.Size = 24 + (8 * capacity);
            }

            items.Add("[i]", "MyApp.Session", 80).Add("_buffer", "System.Byte[]", 280, Core);
        });
    }

    [Fact]
    public void Leak_report()
    {
        var (heap, handle) = SessionLeak();
        var report = heap.Measure(handle);
        Verify("LeakReport", report.Text);

        // Typed: the leak is the session in its own holder, owning its buffer; the earlier test's sessions and the
        // runtime's arrays are other groups.
        Assert.Equal(CheckOutcome.Leak, report.Outcome);
        var leak = Assert.Single(report.Leaks);
        Assert.Equal("MyApp.Session", leak.TypeName);
        Assert.Equal("static field MyApp.Holders.Sessions", leak.Leaked.Path.RootName);
        Assert.Equal(report.SnapshotIterations, leak.Leaked.CountDelta);
        Assert.Equal("System.Byte[]", Assert.Single(leak.Owned).TypeName);
        // The session (80 B), its buffer (280 B), and one element (8 B) of the list's array, which grows by doubling.
        Assert.Equal(368, report.BytesPerCall);
        Assert.Equal(1.0, leak.Leaked.Path.NewPerCall);
        Assert.Equal(40 + leak.Leaked.Path.Instances, leak.Leaked.Path.TotalInstances);
    }

    [Fact]
    public void Leak_report_of_an_event_subscription_names_the_subscriber()
    {
        var heap = new FakeHeap();
        var handlers = heap.Static("MyApp.PriceFeed.Changed", "System.EventHandler", 64, Core)
            .Add("_invocationList", "System.Object[]", 32, Core);
        var report = heap.Measure(
            () =>
            {
                handlers.Size += 8;
                handlers.Add("[i]", "System.EventHandler", 64, Core).Add("_target", "MyApp.PriceTicker", 48);
            },
            expression: "() => new PriceTicker(feed)");
        Verify("LeakReportEvent", report.Text);
        var leak = Assert.Single(report.Leaks);
        Assert.Equal("MyApp.PriceTicker", leak.TypeName);
        Assert.Equal(["System.Object[]", "System.EventHandler"], leak.HeldThrough.Select(g => g.TypeName));
    }

    [Fact]
    public void Sparse_leak_report()
    {
        var heap = new FakeHeap();
        var items = heap.Static("MyApp.Registry.Items", "System.Collections.Generic.List<MyApp.Item>", 32, Core)
            .Add("_items", "MyApp.Item[]", 24 + (8 * 1024), Core);
        var calls = 0;
        var report = heap.Measure(
            () =>
            {
                if (++calls % 10 == 0)
                {
                    items.Add("[i]", "MyApp.Item", 24);
                }
            },
            expression: "f()");
        Verify("SparseLeakReport", report.Text);
        Assert.True(report.IsLeak);
        // 24 B every 10th call, and an 8 B element of the list's array for each.
        Assert.Equal(3.2, report.BytesPerCall, 1);
    }

    [Fact]
    public void Leak_report_without_snapshots()
    {
        var heap = new FakeHeap();
        var root = heap.Static("MyApp.Cache.Blocks", "System.Collections.Generic.List<System.Int64[]>", 32, Core);
        var report = heap.Measure(() => root.Add("[i]", "System.Int64[]", 80_024, Core), new LeakOptions { Snapshots = SnapshotRoute.None }, "cache.Add(item)");
        Verify("LeakReportWithoutSnapshots", report.Text);
        Assert.Equal(CheckOutcome.LeakUnconfirmed, report.Outcome);
        Assert.Equal(0, heap.SnapshotsTaken);
    }

    [Fact]
    public void Passing_report() => Verify("PassingReport", new FakeHeap().Measure(() => { }, expression: "() => handler.Handle(request)").Text);

    [Fact]
    public void Passing_report_when_the_growth_came_from_elsewhere()
    {
        // Other threads hold 100 bytes more after each call; nothing in the heap's path groups grows with the calls.
        var heap = new FakeHeap();
        var report = heap.Measure(() => heap.Elsewhere += 100, expression: "() => handler.Handle(request)");
        Verify("PassingReportGrewElsewhere", report.Text);
        Assert.Equal(CheckOutcome.GrewElsewhere, report.Outcome);

        // The live route saw nothing growing, so the dump route (which sees stacks) was asked too.
        Assert.Equal(RouteFallback.LiveSawNoGrowth, report.RouteFallback);
        Assert.Equal([SnapshotRoute.Live, SnapshotRoute.Live, SnapshotRoute.Live, SnapshotRoute.Live, SnapshotRoute.Dump, SnapshotRoute.Dump, SnapshotRoute.Dump, SnapshotRoute.Dump], heap.Routes);
    }

    [Fact]
    public void A_leak_held_only_by_a_stack_is_confirmed_on_the_dump_route_when_live_snapshots_confirm_nothing_after_a_second_look()
    {
        // Another thread's local list, which live snapshots do not see. While the first live confirmation's call
        // intervals run, the host registers one object of its own each time: weak evidence, so a second live confirmation
        // is taken, in which nothing grows again. Live "nothing" is not evidence: the dump route confirms afresh.
        var heap = new FakeHeap();
        var items = heap.Root(RootNames.StackLocal(7), "System.Collections.Generic.List<MyApp.Item>", 32, Core);
        var registrations = heap.Static("MyApp.Host.Registrations", "System.Collections.Generic.List<MyApp.Registration>", 32, Core);
        heap.BeforeSnapshot = taken =>
        {
            if (taken is 1 or 3)
            {
                registrations.Add("[i]", "MyApp.Registration", 40);
            }
        };

        var report = heap.Measure(() => items.Add("[i]", "MyApp.Item", 24));

        Assert.Equal(CheckOutcome.Leak, report.Outcome);
        // Two live confirmations, one on the dump route, and the dump that followed the leak.
        Assert.Equal([.. Enumerable.Repeat(SnapshotRoute.Live, 8), .. Enumerable.Repeat(SnapshotRoute.Dump, 5)], heap.Routes);
        Assert.Equal(SnapshotRoute.Dump, report.SnapshotRoute);
        Assert.Equal(RouteFallback.LiveSawNoGrowth, report.RouteFallback);
        var leak = Assert.Single(report.Leaks);
        Assert.Equal("MyApp.Item", leak.TypeName);
        Assert.Equal("local on the stack of thread 7", leak.Leaked.Path.RootName);
    }

    [Fact]
    public void A_leak_held_only_by_a_stack_under_an_explicit_live_route_passes_only_with_a_verdict_that_says_stacks_were_not_seen()
    {
        var heap = new FakeHeap();
        var items = heap.Root(RootNames.StackLocal(7), "System.Collections.Generic.List<MyApp.Item>", 32, Core);

        var report = heap.Measure(() => items.Add("[i]", "MyApp.Item", 24), new LeakOptions { Snapshots = SnapshotRoute.Live });

        Assert.Equal(CheckOutcome.GrewElsewhere, report.Outcome);
        Assert.All(heap.Routes, route => Assert.Equal(SnapshotRoute.Live, route));
        Assert.Contains(
            "live snapshots see no thread stacks, so growth held only by a thread's stack (a worker's local collection) is not seen by them: " +
            "Snapshots = Auto or Dump confirms it on the dump route, which sees stacks",
            report.Text,
            StringComparison.Ordinal);
        Assert.DoesNotContain("came from elsewhere", report.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Growth_that_stops_at_a_bound_when_followed_passes_and_the_verdict_names_it()
    {
        // A cache of 300 slots filled one per call: through the whole check's confirmation, and full 300 calls in.
        var heap = new FakeHeap();
        var cache = heap.Static("MyApp.Formatting.SmallNumbers", "System.String[]", 24 + (8 * 300), Core);
        var calls = 0;
        var report = heap.Measure(() =>
        {
            if (++calls <= 300)
            {
                cache.Add("[i]", "System.String", 26, Core);
            }
        });

        Assert.Equal(CheckOutcome.GrowthStopped, report.Outcome);
        Assert.False(report.IsLeak);
        Assert.Empty(report.Leaks);
        var stopped = Assert.Single(report.StoppedGrowing);
        Assert.Equal("static field MyApp.Formatting.SmallNumbers", stopped.Leaked.Path.RootName);
        Assert.Equal(LeakRun.MaxFollowCalls, report.FollowCalls);
        var followed = Assert.Single(report.Followed);
        Assert.True(followed.Stopped);
        Assert.Equal(300 - calls + LeakRun.MaxFollowCalls, followed.Grew);
        Assert.Contains(
            "the heap snapshots showed System.String held by static field MyApp.Formatting.SmallNumbers " +
            $"(+{followed.Grew} instances where its rate predicted +4,096) growing with the calls, but followed for 4,096 more calls it stopped growing",
            report.Text,
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_leak_that_comes_to_be_held_by_another_root_while_followed_is_still_a_leak()
    {
        // One object per call, into one holder through the confirmation (as the cache above), then into another: its
        // first holder stops growing when followed, its type does not (a bag's queue reached from a thread's slots).
        var heap = new FakeHeap();
        var first = heap.Static("MyApp.Sessions.Open", "System.Object[]", 24, Core);
        var second = heap.Static("MyApp.Sessions.Closing", "System.Object[]", 24, Core);
        var calls = 0;
        var report = heap.Measure(() => (++calls <= 300 ? first : second).Add("[i]", "MyApp.Sessions.Session", 40));

        Assert.Equal(CheckOutcome.Leak, report.Outcome);
        var leak = Assert.Single(report.Leaks);
        Assert.Equal("MyApp.Sessions.Session", leak.TypeName);
        Assert.Equal("static field MyApp.Sessions.Open", leak.Leaked.Path.RootName);
        var followed = Assert.Single(report.Followed, f => f.TypeName == "MyApp.Sessions.Session");
        Assert.False(followed.Stopped);
        Assert.Equal(LeakRun.MaxFollowCalls, followed.Grew);
    }

    [Fact]
    public void Live_route_unavailable_falls_back_to_dumps_and_says_why()
    {
        var (heap, handle) = SessionLeak();
        heap.Unavailable[SnapshotRoute.Live] = () => new SnapshotUnavailableException("simulated: the live route is off");
        var report = heap.Measure(handle);
        Assert.Equal(CheckOutcome.Leak, report.Outcome);
        Assert.Equal(SnapshotRoute.Dump, report.SnapshotRoute);
        Assert.Equal(RouteFallback.LiveUnavailable, report.RouteFallback);
        Assert.Equal("simulated: the live route is off", report.LiveRouteUnavailableReason);
        Assert.Contains("the live route was unavailable (simulated: the live route is off), so the dump route was used", report.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_on_the_dump_route_because_the_live_route_is_unavailable_here_says_why()
    {
        // As on .NET 8: the live route cannot be taken in this process, so Auto starts on the dump route.
        var (heap, handle) = SessionLeak();
        heap.Preferred = SnapshotRoute.Dump;
        heap.LiveNotTaken = "simulated: this runtime gives no static slots";
        var report = heap.Measure(handle);
        Assert.Equal(CheckOutcome.Leak, report.Outcome);
        Assert.Equal([SnapshotRoute.Dump], heap.Routes.Distinct());
        Assert.Equal(RouteFallback.LiveUnavailable, report.RouteFallback);
        Assert.Equal("simulated: this runtime gives no static slots", report.LiveRouteUnavailableReason);
        Assert.Contains("the live route was unavailable (simulated: this runtime gives no static slots), so the dump route was used", report.Text, StringComparison.Ordinal);

        // An explicit dump route is what was asked for: nothing to explain.
        var dump = heap.Measure(handle, new LeakOptions { Snapshots = SnapshotRoute.Dump });
        Assert.Equal(RouteFallback.None, dump.RouteFallback);
        Assert.Null(dump.LiveRouteUnavailableReason);
    }

    [Fact]
    public void Snapshots_busy_pass_and_snapshots_unavailable_fail()
    {
        var (heap, handle) = SessionLeak();
        heap.Unavailable[SnapshotRoute.Dump] = () => SnapshotUnavailableException.Transient("simulated: a GC was in progress");
        var busy = heap.Measure(handle, new LeakOptions { Snapshots = SnapshotRoute.Dump });
        Assert.Equal(CheckOutcome.SnapshotsBusy, busy.Outcome);
        Assert.False(busy.IsLeak);

        heap.Unavailable[SnapshotRoute.Dump] = () => new SnapshotUnavailableException("simulated: diagnostics are off");
        var unavailable = heap.Measure(handle, new LeakOptions { Snapshots = SnapshotRoute.Dump });
        Assert.Equal(CheckOutcome.LeakUnconfirmed, unavailable.Outcome);
        Assert.Equal("simulated: diagnostics are off", unavailable.SnapshotsUnavailableReason);
    }

    [Fact]
    public void Sparkline_spans_lowest_to_highest_and_fits_the_width()
    {
        Assert.Equal("▁▂▃▄▅▆▇█", Sparkline.Render([0, 1, 2, 3, 4, 5, 6, 7]));
        Assert.Equal("▁▁▁", Sparkline.Render([5, 5, 5]));
        Assert.Equal(60, Sparkline.Render(Enumerable.Range(0, 1000).Select(i => (long)i).ToArray(), 60).Length);
        Assert.Equal("", Sparkline.Render([]));
    }

    [GeneratedRegex(@"took [\d,]+ ms( \(heap snapshots [\d,]+ ms\))?")]
    private static partial Regex Elapsed();

    internal static void Verify(string name, string text)
    {
        var approvedFile = Path.Combine(AppContext.BaseDirectory, "Approved", name + ".approved.txt");
        var sourceFile = Path.Combine(SourceDirectory(), "Approved", name + ".approved.txt");
        var received = Elapsed().Replace(text.ReplaceLineEndings("\n"), "took {elapsed}");
        if (!File.Exists(approvedFile) || File.ReadAllText(approvedFile).ReplaceLineEndings("\n") != received)
        {
            var receivedFile = Path.ChangeExtension(sourceFile, null).Replace(".approved", ".received", StringComparison.Ordinal) + ".txt";
            File.WriteAllText(receivedFile, received);
            Assert.Fail($"The text differs from {sourceFile}; see {receivedFile}. Review it and rename it to approve.");
        }
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetDirectoryName(Path.GetDirectoryName(path))!;
}
