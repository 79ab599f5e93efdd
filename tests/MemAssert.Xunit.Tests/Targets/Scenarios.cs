using MemoryAssertions.Xunit;
using Xunit;

// Target test classes: run only when a test below runs them through xUnit explicitly. They are internal, and xUnit v2
// discovers exported (public) types only, so the normal test run does not pick them up.
#pragma warning disable xUnit1000 // Test classes must be public: internal on purpose, see above.

namespace MemAssert.Xunit.Tests.Targets;

/// <summary>What the leaking target holds on to: one per iteration (with a 1 KB payload), in a static list.</summary>
internal sealed class LeakedWidget
{
    public LeakedWidget(int id) => Id = id;

    public int Id { get; }

    public byte[] Payload { get; } = new byte[1024];
}

/// <summary>Counts what ran once and what ran per iteration.</summary>
internal static class Calls
{
    public static int Constructed;
    public static int Bodies;
    public static int Disposed;
    public static readonly HashSet<object> Instances = [];

    public static void Reset()
    {
        Constructed = 0;
        Bodies = 0;
        Disposed = 0;
        lock (Instances)
        {
            Instances.Clear();
        }
    }

    public static void Body(object instance)
    {
        Interlocked.Increment(ref Bodies);
        lock (Instances)
        {
            Instances.Add(instance);
        }
    }
}

internal sealed class CleanTarget : IDisposable
{
    public CleanTarget() => Interlocked.Increment(ref Calls.Constructed);

    [NoGrowth(Iterations = 8, Warmup = 2)]
    public void Builds_and_drops_a_list()
    {
        Calls.Body(this);
        var list = new List<object>();
        for (var i = 0; i < 1000; i++)
        {
            list.Add(new object());
        }

        GC.KeepAlive(list);
    }

    public void Dispose() => Interlocked.Increment(ref Calls.Disposed);
}

internal sealed class AsyncCleanTarget
{
    [NoGrowth(Iterations = 8, Warmup = 2)]
    public async Task Awaits_and_drops_a_buffer()
    {
        await Task.Yield();
        var buffer = new byte[4096];
        await Task.Delay(1);
        GC.KeepAlive(buffer);
    }
}

internal sealed class LeakingTarget
{
    public static readonly List<LeakedWidget> Held = [];

    [NoGrowth(Iterations = 8)]
    public void Keeps_a_widget_per_call() => Held.Add(new LeakedWidget(Held.Count));
}

internal sealed class ThrowingTarget
{
    [NoGrowth(Iterations = 8)]
    public void Throws() => throw new InvalidOperationException("boom from the test body");
}

internal sealed class AsyncThrowingTarget
{
    [NoGrowth(Iterations = 8)]
    public async Task Throws_after_an_await()
    {
        await Task.Yield();
        throw new FormatException("async boom from the test body");
    }
}

internal sealed class IgnoredLeakTarget
{
    public static readonly List<LeakedWidget> Held = [];

    [NoGrowth(Iterations = 8, MaxGrowthPerIteration = 4096)]
    public void Keeps_a_widget_per_call_within_the_allowance() => Held.Add(new LeakedWidget(Held.Count));
}

[Collection("MemAssert own collection")]
internal sealed class OwnCollectionTarget
{
    [NoGrowth(Iterations = 4)]
    public void Does_nothing()
    {
    }
}

/// <summary>The clean check and a busy neighbour, in two collections that xUnit runs in parallel.</summary>
internal static class Neighbours
{
    public static volatile bool CheckDone;
    public static int NeighbourRounds;
    public static readonly ManualResetEventSlim NeighbourStarted = new();

    public static void Reset()
    {
        CheckDone = false;
        NeighbourRounds = 0;
        NeighbourStarted.Reset();
    }
}

[Collection("Neighbours: the check")]
internal sealed class CheckBesideNeighbour : IDisposable
{
    // Measure only once the neighbour is busy (the constructor runs once, before the warm-up).
    public CheckBesideNeighbour() => Neighbours.NeighbourStarted.Wait(TimeSpan.FromSeconds(20));

    [NoGrowth(Iterations = 10)]
    public void Builds_and_drops_a_dictionary()
    {
        var map = new Dictionary<int, string>();
        for (var i = 0; i < 200; i++)
        {
            map[i] = "x";
        }

        GC.KeepAlive(map);
    }

    public void Dispose() => Neighbours.CheckDone = true;
}

[Collection("Neighbours: the busy one")]
internal sealed class BusyNeighbour
{
    [Fact]
    public void Allocates_and_drops_until_the_check_is_done()
    {
        Neighbours.NeighbourStarted.Set();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Neighbours.CheckDone && DateTime.UtcNow < deadline)
        {
            var batch = new List<byte[]>();
            for (var i = 0; i < 64; i++)
            {
                batch.Add(new byte[512]);
            }

            GC.KeepAlive(batch);
            Interlocked.Increment(ref Neighbours.NeighbourRounds);
            Thread.Sleep(1);
        }
    }
}

/// <summary>Leaks, so that the report (the message) shows the warm-up: the class's [MemAssertDefaults] applies, over the assembly's.</summary>
[MemoryAssertions.MemAssertDefaults(Warmup = 5)]
internal sealed class ClassDefaultsTarget
{
    public static readonly List<LeakedWidget> Held = [];

    [NoGrowth(Iterations = 8)]
    public void FromClass() => Held.Add(new LeakedWidget(Held.Count));

    [NoGrowth(Iterations = 8, Warmup = 2)]
    public void OwnWins() => Held.Add(new LeakedWidget(Held.Count));
}

/// <summary>No defaults on the class: the assembly's [MemAssertDefaults] (AssemblyInfo.cs) applies.</summary>
internal sealed class AssemblyDefaultsTarget
{
    [NoGrowth(Iterations = 8)]
    public void FromAssembly() => ClassDefaultsTarget.Held.Add(new LeakedWidget(ClassDefaultsTarget.Held.Count));
}
/// <summary>Each data row is a check of its own: the row with a positive count keeps that many widgets per call.</summary>
internal sealed class InlineDataTarget
{
    public static readonly List<LeakedWidget> Held = [];

    [NoGrowth(Iterations = 8, Warmup = 2)]
    [InlineData(0)]
    [InlineData(1)]
    public void Keeps(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Held.Add(new LeakedWidget(Held.Count));
        }
    }
}

/// <summary>Rows from a member, serialisable (one test case per row at discovery).</summary>
internal sealed class MemberDataTarget
{
    public static readonly List<LeakedWidget> Held = [];

    public static TheoryData<int> Counts => [0, 2];

    [NoGrowth(Iterations = 8, Warmup = 2)]
    [MemberData(nameof(Counts))]
    public void Keeps(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Held.Add(new LeakedWidget(Held.Count));
        }
    }
}

/// <summary>How many widgets a row keeps per call; not serialisable, so xUnit enumerates the rows when the test runs.</summary>
internal sealed class Amount(int count)
{
    public int Count { get; } = count;

    public override string ToString() => Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Rows that cannot be serialised: one test case at discovery, each row measured on its own when it runs.</summary>
internal sealed class UnserialisableDataTarget
{
    public static readonly List<LeakedWidget> Held = [];

    public static TheoryData<Amount> Amounts => [new Amount(0), new Amount(1)];

    [NoGrowth(Iterations = 8, Warmup = 2)]
    [MemberData(nameof(Amounts))]
    public void Keeps(Amount amount)
    {
        for (var i = 0; i < amount.Count; i++)
        {
            Held.Add(new LeakedWidget(Held.Count));
        }
    }
}
