using Xunit.Abstractions;

namespace MemoryAssertions.Tests.Scenarios;

/// <summary>
/// Real leaks must fail and real non-leaks must pass, every time. Each scenario runs in a child process of its own
/// (tests/TestTargets/LeakTargets), so the numbers are the scenario's alone and are asserted exactly: the leaked
/// object, its root, how many leaked per call, and the bytes per call within 1.5× of what the code retains per call
/// (measured by hand in the same process, apart from MemAssert). Each clean scenario runs three times (a false alarm is
/// the worst outcome).
/// </summary>
public sealed class ScenarioTests(ITestOutputHelper output)
{
    public static TheoryData<int> Runs => [1, 2, 3];

    public static TheoryData<SnapshotRoute> Routes => [SnapshotRoute.Live, SnapshotRoute.Dump];

    private TargetResult Run(string scenario, SnapshotRoute route = SnapshotRoute.Auto)
    {
        var result = TargetProcess.RunOne(scenario, route);
        output.WriteLine(result.Text);
        return result;
    }

    /// <summary>The check failed, and its first leak is <paramref name="count"/> new objects of <paramref name="type"/> over the calls between its snapshots.</summary>
    private static TargetLeak FirstLeak(TargetResult result, string type, long count)
    {
        Assert.True(result.Outcome == CheckOutcome.Leak, result.Text);
        var leak = result.Leaks[0];
        Assert.Equal(type, leak.Type);
        Assert.Equal(count, leak.CountDelta);
        return leak;
    }

    /// <summary>The bytes per call are within 1.5× of what the code retains per call, measured by hand in the target.</summary>
    private static void AssertBytesPerCall(TargetResult result) =>
        Assert.InRange(result.BytesPerCall, result.RetainedPerCall / 1.5, result.RetainedPerCall * 1.5);

    /// <summary>The check found one leak of <paramref name="type"/>, held by <paramref name="root"/>, leaking one per call, at about the bytes the code retains.</summary>
    private TargetLeak AssertLeak(TargetResult result, string type, string root, long perCall = 1)
    {
        var leak = FirstLeak(result, type, perCall * result.SnapshotIterations);
        Assert.Equal(root, leak.Root);
        if (result.RetainedPerCall > 0)
        {
            AssertBytesPerCall(result);
        }

        // The message names the object and its holder first.
        Assert.StartsWith("`leak` leaked ~", result.Text, StringComparison.Ordinal);
        Assert.Contains($"({(perCall == 1 ? "1" : perCall.ToString(System.Globalization.CultureInfo.InvariantCulture))} × {type}", result.Text, StringComparison.Ordinal);
        var firstPath = result.Text[result.Text.IndexOf("  1. ", StringComparison.Ordinal)..];
        Assert.StartsWith($"  1. {type}: ", firstPath, StringComparison.Ordinal);
        Assert.Contains(root + " (", firstPath.Split('\n')[1], StringComparison.Ordinal);
        return leak;
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public void Static_list_leaks_one_object_per_call(SnapshotRoute route)
    {
        var result = Run("static-list", route);
        Assert.Equal(route, result.Route);
        var leak = AssertLeak(result, "LeakTargets.LeakedItem", "static field LeakTargets.Holders.Items");
        Assert.Equal(["_items LeakTargets.LeakedItem[]", "[i] LeakTargets.LeakedItem"], leak.Hops);
        Assert.Empty(leak.Owned);

        // Every instance shares the one path (the 2,001 leaked by the hand measurement first included).
        Assert.Equal(leak.TotalInstances, leak.Instances);
        Assert.Contains("→ ._items LeakTargets.LeakedItem[]", result.Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public void A_leaked_session_owning_a_buffer_is_one_leak_of_the_session(SnapshotRoute route)
    {
        var result = Run("session", route);
        var leak = AssertLeak(result, "LeakTargets.Session", "static field LeakTargets.Holders.Sessions");
        Assert.Equal(["System.Byte[]"], leak.Owned);
        Assert.Single(result.Leaks);
        Assert.Contains("(1 × LeakTargets.Session, owning 1 × System.Byte[])", result.Text, StringComparison.Ordinal);
        Assert.Contains("owning System.Byte[]: +1 per call, through .Buffer", result.Text, StringComparison.Ordinal);
    }

    /// <summary>
    /// A static field of a generic instantiation: the runtime keeps such statics in storage held by a GC handle, and no
    /// route can tell which instantiation a slot belongs to (the runtime offers no list of its loaded instantiations), so
    /// the path starts at that handle. The leak is still found, counted and its holder's type shown.
    /// </summary>
    [Fact]
    public void A_leak_into_a_static_of_a_generic_type_is_found_through_the_handle_of_its_storage()
    {
        var result = Run("generic-static");
        var leak = AssertLeak(result, "LeakTargets.LeakedItem", "GC handle (strong)");
        Assert.Equal(RootKind.GCHandle, leak.RootKind);
        Assert.Equal(["[i] System.Collections.Generic.List<LeakTargets.LeakedItem>", "_items LeakTargets.LeakedItem[]", "[i] LeakTargets.LeakedItem"], leak.Hops);
    }

    /// <summary>
    /// A leak held by nothing but the checked delegate's closure: the live route sees no stacks, so the check holds the
    /// caller's delegate by a GC handle while it confirms, and the path runs from that handle through the closure.
    /// </summary>
    [Theory]
    [MemberData(nameof(Routes))]
    public void A_leak_held_only_by_the_delegates_closure_is_found(SnapshotRoute route)
    {
        var result = Run("captured-local", route);
        var leak = FirstLeak(result, "LeakTargets.LeakedItem", result.SnapshotIterations);
        Assert.Equal("[i] LeakTargets.LeakedItem", leak.Hops[^1]);
        if (route == SnapshotRoute.Live)
        {
            Assert.Equal(RootKind.GCHandle, leak.RootKind);
            Assert.Contains("retained System.Collections.Generic.List<LeakTargets.LeakedItem>", leak.Hops);
        }
        else
        {
            // A dump also sees the stacks: the frame that made the list still holds it directly, a shorter path than
            // the one through the delegate.
            Assert.Equal(RootKind.StackLocal, leak.RootKind);
        }
    }

    public static TheoryData<string, SnapshotRoute> ThreadStaticRuns => new()
    {
        { "thread-static", SnapshotRoute.Live }, { "thread-static", SnapshotRoute.Dump },
        { "thread-static-worker", SnapshotRoute.Live }, { "thread-static-worker", SnapshotRoute.Dump },
    };

    /// <summary>
    /// A [ThreadStatic] list that grows on the calling thread, or on a long-lived worker the code hands its work to.
    /// Since .NET 9 a thread static is held by its thread's own storage, which no GC handle and no root ClrMD reports
    /// reaches: both routes seed each thread's slot of each thread-static field themselves, and name the field and the
    /// thread (the target program knows the thread's id).
    /// </summary>
    [Theory]
    [MemberData(nameof(ThreadStaticRuns))]
    public void A_leak_into_a_thread_static_is_named_after_the_field_and_its_thread(string scenario, SnapshotRoute route)
    {
        var result = Run(scenario, route);
        Assert.Equal(route, result.Route);
        Assert.NotNull(result.ExpectedRoot);
        var leak = AssertLeak(result, "LeakTargets.ThreadStaticItem", result.ExpectedRoot);
        Assert.Equal(RootKind.ThreadStaticField, leak.RootKind);
        Assert.Equal(["_items LeakTargets.ThreadStaticItem[]", "[i] LeakTargets.ThreadStaticItem"], leak.Hops);
    }

    [Fact]
    public void Event_handler_never_removed_names_the_subscriber_held_through_the_delegate()
    {
        var result = Run("event");
        var leak = AssertLeak(result, "LeakTargets.Subscriber", "static field LeakTargets.Publisher.Tick");
        Assert.Contains("System.EventHandler", leak.HeldThrough);
        Assert.Equal("_target LeakTargets.Subscriber", leak.Hops[^1]);
    }

    [Fact]
    public void Unbounded_dictionary_cache_leaks_an_entry_owning_its_array()
    {
        var leak = AssertLeak(Run("unbounded-cache"), "LeakTargets.CacheEntry", "static field LeakTargets.Holders.Cache");
        Assert.Equal(["System.Int32[]"], leak.Owned);
    }

    [Fact]
    public void Undisposed_timer_names_the_poller_held_by_the_runtimes_timer_queue()
    {
        var result = Run("undisposed-timer");
        var leak = FirstLeak(result, "LeakTargets.Poller", result.SnapshotIterations);
        Assert.Equal(RootKind.StaticField, leak.RootKind);
        Assert.StartsWith("static field System.Threading.TimerQueue.", leak.Root, StringComparison.Ordinal);
        Assert.Contains("System.Threading.Timer", leak.Owned);
        AssertBytesPerCall(result);
    }

    [Fact]
    public void One_large_object_per_call_leaks()
    {
        var leak = AssertLeak(Run("large-object"), "LeakTargets.LeakedLarge", "static field LeakTargets.Holders.Large");
        Assert.Equal(["System.Byte[]"], leak.Owned);
    }

    [Fact]
    public void One_object_every_tenth_call_leaks()
    {
        // 24 B every 10th call: inconclusive at 20 iterations, extended until a quarter of the run holds a leaked object.
        var result = Run("every-tenth-call");
        Assert.True(result.Iterations >= 40, result.Text);
        var leak = FirstLeak(result, "LeakTargets.SparseItem", result.SnapshotIterations / 10);
        Assert.Equal("static field LeakTargets.Holders.Sparse", leak.Root);
        AssertBytesPerCall(result);
        Assert.Contains("(1 × LeakTargets.SparseItem every 10 iterations)", result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void One_object_every_twentieth_call_leaks_even_when_the_first_one_comes_in_the_last_segment()
    {
        // The README's limit with the defaults (P = MaxIterations / 4 = 20), at a phase whose first 20 iterations hold
        // one leaked object, after the last quarter's floor.
        var result = Run("every-twentieth-call-late");
        Assert.True(result.Iterations >= 40, result.Text);
        var leak = FirstLeak(result, "LeakTargets.SparseItem", result.SnapshotIterations / 20);
        Assert.Equal("static field LeakTargets.Holders.EveryTwentieth", leak.Root);
        AssertBytesPerCall(result);
    }

    [Fact]
    public void A_leak_with_memory_freed_once_during_the_run_is_judged_from_the_drop()
    {
        // 24 B per call, and at the 30th call (iteration 27) 256 KB held from before the check is freed.
        var result = Run("freed-once");
        Assert.Equal(27, result.JudgedFrom);
        FirstLeak(result, "LeakTargets.LeakedItem", result.SnapshotIterations);
    }

    [Fact]
    public void A_sparse_leak_with_memory_freed_late_in_the_run_is_caught_by_running_on_after_the_drop()
    {
        // 1 KB every 10th call; 256 KB freed at the 63rd call (iteration 60 of at most 80): the run goes on past 80.
        var result = Run("sparse-freed-late");
        Assert.Equal(60, result.JudgedFrom);
        Assert.True(result.Iterations > 80, result.Text);
        var leak = FirstLeak(result, "System.Byte[]", result.SnapshotIterations / 10);
        Assert.Equal("static field LeakTargets.Holders.SparseBlocks", leak.Root);
    }

    [Fact]
    public void Async_delegate_leaks_into_a_bag_spread_over_its_per_thread_queues()
    {
        // A ConcurrentBag keeps each thread's items in a queue of its own: the leaked items spread over two or more
        // paths from the bag at random, so the leak is judged by its holder (the bag's root) and type.
        var result = Run("async");
        var leak = FirstLeak(result, "LeakTargets.AsyncItem", result.SnapshotIterations);
        Assert.Equal("static field LeakTargets.Holders.AsyncItems", leak.Root);
    }

    [Fact]
    public void Leak_is_still_found_while_another_thread_churns_garbage()
    {
        var result = Run("leak-beside-churn");
        FirstLeak(result, "LeakTargets.LeakedLarge", result.SnapshotIterations);
    }

    public static TheoryData<string, int> CleanRuns()
    {
        var data = new TheoryData<string, int>();
        foreach (var scenario in new[]
                 {
                     "no-op", "garbage-only", "lazy-static", "bounded-cache", "array-pool", "subscribe-unsubscribe", "thread-pool-task",
                     "caught-exception", "finalizable-garbage", "async-no-op", "clean-beside-churn", "number-format-cache",
                     "compiled-expression-constants",
                 })
        {
            foreach (var run in Runs)
            {
                data.Add(scenario, run);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CleanRuns))]
    public void Clean_code_passes(string scenario, int run)
    {
        _ = run;
        var result = Run(scenario);
        Assert.False(result.IsLeak, result.Text);
        Assert.Empty(result.Leaks);
    }

    [Theory]
    [InlineData("number-format-cache")]
    [InlineData("compiled-expression-constants")]
    public void Code_that_fills_the_runtimes_bounded_number_cache_passes_and_the_verdict_says_it_stopped(string scenario)
    {
        // One more string in System.Number's cache of small numbers' strings per call: a leak for as many calls as the
        // check makes, and a cache that is full a few hundred calls later.
        var result = Run(scenario);
        Assert.Equal(CheckOutcome.GrowthStopped, result.Outcome);
        Assert.Empty(result.Leaks);
        Assert.Contains("System.String held by static field System.Number.s_smallNumberCache", result.Text, StringComparison.Ordinal);
        Assert.Contains("more calls it stopped growing", result.Text, StringComparison.Ordinal);
    }

    /// <summary>
    /// A suite in one process: leaks of shared types (byte[], string, object[]) into holders of their own, never cleaned
    /// up, with clean checks between them and other "tests" on the thread pool holding and churning the same types all
    /// the while. Every message names its own leak's object and holder first, never an earlier check's.
    /// </summary>
    [Fact]
    public void In_a_suite_every_message_names_its_own_leak_first()
    {
        var results = TargetProcess.Run("suite").ToDictionary(r => r.Name);
        foreach (var result in results.Values)
        {
            output.WriteLine(result.Text);
        }

        Assert.Equal(["A", "clean-1", "B", "C", "clean-2", "D"], results.Keys);
        Assert.False(results["clean-1"].IsLeak, results["clean-1"].Text);
        Assert.False(results["clean-2"].IsLeak, results["clean-2"].Text);
        var expected = new (string Check, string Type, string Root)[]
        {
            ("A", "System.Byte[]", "static field LeakTargets.SuiteA.Buffers"),
            ("B", "System.String", "static field LeakTargets.SuiteB.Names"),
            ("C", "System.Object[]", "static field LeakTargets.SuiteC.Rows"),
            ("D", "System.Byte[]", "static field LeakTargets.SuiteD.BuffersById"),
        };
        foreach (var (check, type, root) in expected)
        {
            var result = results[check];
            Assert.True(result.Outcome == CheckOutcome.Leak, result.Text);
            var leak = Assert.Single(result.Leaks);
            Assert.Equal(type, leak.Type);
            Assert.Equal(root, leak.Root);
            Assert.Equal(result.SnapshotIterations, leak.CountDelta);

            // Other instances of the type are held elsewhere (earlier checks, the parallel tests), and counted apart.
            Assert.True(leak.TotalInstances > leak.Instances, result.Text);
            Assert.Contains($"(1 × {type})", result.Text.Split('\n')[0], StringComparison.Ordinal);
            Assert.Contains(root + " (", result.Text, StringComparison.Ordinal);
        }
    }
}
