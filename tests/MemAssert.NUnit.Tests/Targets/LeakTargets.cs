using MemoryAssertions.NUnit;
using NUnit.Framework;

namespace MemAssert.NUnit.Tests.Targets;

// Fixtures run by the tests in this project through NUnit's execution API. [Explicit]: the normal run leaves them out.

/// <summary>What the leaking targets retain: the report must name this type.</summary>
public sealed class NUnitLeakedPayload
{
    public long[] Data { get; } = new long[16];
}

[Explicit("Target fixture: run by NoGrowthAttributeTests")]
public class CleanTargets
{
    [Test, NoGrowth(Iterations = 8, Warmup = 2)]
    public void Clean()
    {
        var scratch = new List<NUnitLeakedPayload>();
        for (var i = 0; i < 10; i++)
        {
            scratch.Add(new NUnitLeakedPayload());
        }

        Assert.That(scratch, Has.Count.EqualTo(10));
    }

    [Test, NoGrowth(Iterations = 8, Warmup = 2)]
    public async Task CleanAsync()
    {
        // Awaits that complete without a thread-pool hop: a hop can start pool threads mid-run, and their per-thread
        // runtime data is growth the core may take for a leak (see the README). ThrowsAsync covers a real suspension.
        using var reader = new StringReader("order 42\nshipped");
        var first = await reader.ReadLineAsync();
        var scratch = new NUnitLeakedPayload();
        GC.KeepAlive(scratch);
        if (await reader.ReadLineAsync() is null || first is null)
        {
            throw new InvalidOperationException("two lines expected");
        }
    }
}

[Explicit("Target fixture: run by NoGrowthAttributeTests")]
public class LeakingTargets
{
    public static readonly List<NUnitLeakedPayload> Retained = [];

    [Test, NoGrowth(Iterations = 8, Warmup = 2)]
    public void Leaks() => Retained.Add(new NUnitLeakedPayload());
}

[Explicit("Target fixture: run by NoGrowthAttributeTests")]
public class ThrowingTargets
{
    private int _calls;

    [Test, NoGrowth(Iterations = 8, Warmup = 2)]
    public void ThrowsOnThirdCall()
    {
        if (++_calls == 3)
        {
            throw new InvalidOperationException("the body failed on call 3");
        }
    }

    [Test]
    public void PlainThrows() => throw new InvalidOperationException("the body failed on call 3");

    [Test, NoGrowth(Iterations = 8, Warmup = 2)]
    public async Task ThrowsAsync()
    {
        await Task.Yield();
        throw new FormatException("async body failed");
    }

    [Test, NoGrowth(Iterations = 8, Warmup = 2)]
    public void AssertionFailsInBody() => Assert.That(1 + 1, Is.EqualTo(3));

    [Test, NoGrowth(Iterations = 1)]
    public void InvalidOptions()
    {
    }
}

/// <summary>Counts what runs once and what runs per iteration.</summary>
[Explicit("Target fixture: run by NoGrowthAttributeTests")]
public class LifecycleTargets
{
    public static int Constructed { get; set; }
    public static int SetUps { get; set; }
    public static int Bodies { get; set; }
    public static int TearDowns { get; set; }

    public LifecycleTargets() => Constructed++;

    [SetUp]
    public void SetUp() => SetUps++;

    [TearDown]
    public void TearDown() => TearDowns++;

    [Test, NoGrowth(Iterations = 8, Warmup = 2)]
    public void Body() => Bodies++;
}

/// <summary>A parallel fixture: a [NoGrowth] test beside busy neighbours that allocate while they run.</summary>
[Explicit("Target fixture: run by NoGrowthAttributeTests")]
[Parallelizable(ParallelScope.All)]
public class ParallelTargets
{
    private static readonly Lock Sync = new();
    private static readonly List<(string Name, DateTime Start, DateTime End)> Spans = [];

    public static IReadOnlyList<(string Name, DateTime Start, DateTime End)> Recorded
    {
        get
        {
            lock (Sync)
            {
                return [.. Spans];
            }
        }
    }

    public static void Reset()
    {
        lock (Sync)
        {
            Spans.Clear();
        }

        MeasuredFirst = default;
        MeasuredLast = default;
    }

    public static DateTime MeasuredFirst { get; private set; }

    public static DateTime MeasuredLast { get; private set; }

    [Test, NoGrowth(Iterations = 8, Warmup = 2)]
    public void Measured()
    {
        // Timestamps in static fields, not a list: the measured body must not retain anything itself.
        var now = DateTime.UtcNow;
        if (MeasuredFirst == default)
        {
            MeasuredFirst = now;
        }

        GC.KeepAlive(new NUnitLeakedPayload());
        MeasuredLast = DateTime.UtcNow;
    }

    [Test]
    public void NeighbourA() => Record(nameof(NeighbourA), Churn);

    [Test]
    public void NeighbourB() => Record(nameof(NeighbourB), Churn);

    [Test]
    public void NeighbourC() => Record(nameof(NeighbourC), Churn);

    private static void Churn()
    {
        var held = new List<byte[]>();
        for (var i = 0; i < 200; i++)
        {
            held.Add(new byte[4096]);
            if (held.Count > 50)
            {
                held.Clear();
            }

            Thread.Sleep(1);
        }
    }

    private static void Record(string name, Action body)
    {
        var start = DateTime.UtcNow;
        body();
        lock (Sync)
        {
            Spans.Add((name, start, DateTime.UtcNow));
        }
    }
}

/// <summary>[TestCase] and [TestCaseSource] rows under [NoGrowth]: each row is a check of its own; the row with a positive count leaks.</summary>
[Explicit("Target fixture: run by NoGrowthAttributeTests")]
public class ParameterisedTargets
{
    public static readonly List<NUnitLeakedPayload> Retained = [];

    [TestCase(0), TestCase(1), NoGrowth(Iterations = 8, Warmup = 2)]
    public void Keeps(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Retained.Add(new NUnitLeakedPayload());
        }
    }

    public static IEnumerable<int> Counts => [0, 2];

    [TestCaseSource(nameof(Counts)), NoGrowth(Iterations = 8, Warmup = 2)]
    public void KeepsFromSource(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Retained.Add(new NUnitLeakedPayload());
        }
    }
}

/// <summary>No Warmup on the test: the class's [MemAssertDefaults] applies, over the assembly's (AssemblyInfo.cs).</summary>
[Explicit("Target fixture: run by NoGrowthAttributeTests")]
[MemoryAssertions.MemAssertDefaults(Warmup = 5, AttachReportOnPass = true)]
public class ClassDefaultsTargets
{
    [Test, NoGrowth(Iterations = 8)]
    public void FromClass() => GC.KeepAlive(new NUnitLeakedPayload());

    [Test, NoGrowth(Iterations = 8, Warmup = 2)]
    public void OwnWins() => GC.KeepAlive(new NUnitLeakedPayload());
}

/// <summary>No defaults on the class: the assembly's [MemAssertDefaults] applies.</summary>
[Explicit("Target fixture: run by NoGrowthAttributeTests")]
public class AssemblyDefaultsTargets
{
    [Test, NoGrowth(Iterations = 8, AttachReportOnPass = true)]
    public void FromAssembly() => GC.KeepAlive(new NUnitLeakedPayload());
}
