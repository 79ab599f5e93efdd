using MemoryAssertions;
using MemoryAssertions.TUnit;

// Every [NoGrowth] test here leaves Warmup to this unless it or its class sets one (AssemblyDefaultsTargets).
[assembly: MemAssertDefaults(Warmup = 4)]

namespace TUnitTargets;

/// <summary>What the leaking targets retain: the report must name this type.</summary>
public sealed class TUnitLeakedPayload
{
    public long[] Data { get; } = new long[16];
}

public class CleanTargets
{
    [Test, NoGrowth(Iterations = 8, Warmup = 2)]
    public void Clean() => GC.KeepAlive(new TUnitLeakedPayload());

    [Test, NoGrowth(Iterations = 8, Warmup = 2)]
    public async Task CleanAsync()
    {
        using var reader = new StringReader("a\nb");
        GC.KeepAlive(await reader.ReadLineAsync());
    }
}

public class LeakingTargets
{
    public static readonly List<TUnitLeakedPayload> Retained = [];

    [Test, NoGrowth(Iterations = 8, Warmup = 2)]
    public void Leaks() => Retained.Add(new TUnitLeakedPayload());
}

public class ThrowingTargets
{
    private static int s_calls;

    [Test, NoGrowth(Iterations = 8, Warmup = 2)]
    public void ThrowsOnThirdCall()
    {
        if (++s_calls == 3)
        {
            throw new InvalidOperationException("the body failed on call 3");
        }
    }
}

/// <summary>Each [Arguments] case is a check of its own; the case with a positive count leaks.</summary>
public class ParameterisedTargets
{
    public static readonly List<TUnitLeakedPayload> Retained = [];

    [Test, NoGrowth(Iterations = 8, Warmup = 2)]
    [Arguments(0)]
    [Arguments(1)]
    public void Keeps(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Retained.Add(new TUnitLeakedPayload());
        }
    }
}

/// <summary>No Warmup on the tests: the class's [MemAssertDefaults] applies, over the assembly's.</summary>
[MemAssertDefaults(Warmup = 5, AttachReportOnPass = true)]
public class ClassDefaultsTargets
{
    [Test, NoGrowth(Iterations = 8)]
    public void FromClass() => GC.KeepAlive(new TUnitLeakedPayload());

    [Test, NoGrowth(Iterations = 8, Warmup = 2)]
    public void OwnWins() => GC.KeepAlive(new TUnitLeakedPayload());
}

/// <summary>No defaults on the class: the assembly's [MemAssertDefaults] applies.</summary>
public class AssemblyDefaultsTargets
{
    [Test, NoGrowth(Iterations = 8, AttachReportOnPass = true)]
    public void FromAssembly() => GC.KeepAlive(new TUnitLeakedPayload());
}
