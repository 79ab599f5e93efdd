using MemoryAssertions.MSTest;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MemAssert.MSTest.Tests.Targets;

// Target classes run by the tests in this project through TargetTestMethod. No [TestClass]: MSTest's own run leaves
// them out.
#pragma warning disable MSTEST0030 // Deliberately not [TestClass]: these are not part of this project's own run.

/// <summary>What the leaking target retains: the report must name this type.</summary>
public sealed class MSTestLeakedPayload
{
    public long[] Data { get; } = new long[16];
}

public class CleanTargets
{
    [NoGrowth(Iterations = 8, Warmup = 2)]
    public void Clean()
    {
        var scratch = new List<MSTestLeakedPayload>();
        for (var i = 0; i < 10; i++)
        {
            scratch.Add(new MSTestLeakedPayload());
        }

        Assert.HasCount(10, scratch);
    }

    [NoGrowth(Iterations = 8, Warmup = 2)]
    public async Task CleanAsync()
    {
        // Awaits that complete without a thread-pool hop: a hop can start pool threads mid-run, and their per-thread
        // runtime data is growth the core may take for a leak (see the README). ThrowsAsync covers a real suspension.
        using var reader = new StringReader("order 42\nshipped");
        var first = await reader.ReadLineAsync();
        var scratch = new MSTestLeakedPayload();
        GC.KeepAlive(scratch);
        if (await reader.ReadLineAsync() is null || first is null)
        {
            throw new InvalidOperationException("two lines expected");
        }
    }

    [NoGrowth(Iterations = 1)]
    public void InvalidOptions()
    {
    }
}

public class LeakingTargets
{
    public static readonly List<MSTestLeakedPayload> Retained = [];

    [NoGrowth(Iterations = 8, Warmup = 2)]
    public void Leaks() => Retained.Add(new MSTestLeakedPayload());
}

public class ThrowingTargets
{
    public static int Calls { get; set; }

    [NoGrowth(Iterations = 8, Warmup = 2)]
    public void ThrowsOnThirdCall()
    {
        if (++Calls == 3)
        {
            throw new InvalidOperationException("the body failed on call 3");
        }
    }

    [NoGrowth(Iterations = 8, Warmup = 2)]
    public async Task ThrowsAsync()
    {
        await Task.Yield();
        throw new FormatException("async body failed");
    }

    [NoGrowth(Iterations = 8, Warmup = 2)]
    public void AssertionFailsInBody() => Assert.AreEqual(3, Calls + 2);
}

/// <summary>A [DataRow]-style test: the row with a positive count leaks.</summary>
public class ParameterisedTargets
{
    public static readonly List<MSTestLeakedPayload> Retained = [];

    [NoGrowth(Iterations = 8, Warmup = 2)]
    public void Keeps(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Retained.Add(new MSTestLeakedPayload());
        }
    }
}

/// <summary>No Warmup on the tests: the class's [MemAssertDefaults] applies, over the assembly's (AssemblyInfo.cs).</summary>
[MemoryAssertions.MemAssertDefaults(Warmup = 5, AttachReportOnPass = true)]
public class ClassDefaultsTargets
{
    [NoGrowth(Iterations = 8)]
    public void FromClass() => GC.KeepAlive(new MSTestLeakedPayload());

    [NoGrowth(Iterations = 8, Warmup = 2)]
    public void OwnWins() => GC.KeepAlive(new MSTestLeakedPayload());
}

/// <summary>No defaults on the class: the assembly's [MemAssertDefaults] applies.</summary>
public class AssemblyDefaultsTargets
{
    [NoGrowth(Iterations = 8, AttachReportOnPass = true)]
    public void FromAssembly() => GC.KeepAlive(new MSTestLeakedPayload());
}
