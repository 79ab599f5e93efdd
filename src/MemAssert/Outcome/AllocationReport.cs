namespace MemoryAssertions;

/// <summary>A type the runtime's allocation sampling saw allocating, and about how many bytes.</summary>
/// <param name="TypeName">The type's full name.</param>
/// <param name="SampledBytes">Bytes attributed to it by the samples (each sample stands for about 100 KB).</param>
public sealed record AllocationSample(string TypeName, long SampledBytes);

/// <summary>
/// The allocation traffic of a delegate, per call: what <see cref="MemAssert.AllocatesAtMost(Action, long, LeakOptions?, string?)"/>
/// measured. <see cref="ToString"/> is the report text, the same text a failing check throws.
/// </summary>
public sealed record AllocationReport
{
    internal AllocationReport()
    {
    }

    /// <summary>The code measured, as written at the call site.</summary>
    public string Expression { get; internal init; } = "code";

    /// <summary>Calls measured (after the warm-up).</summary>
    public int Calls { get; internal init; }

    /// <summary>Bytes allocated per call, averaged over <see cref="Calls"/>.</summary>
    public double BytesPerCall { get; internal init; }

    /// <summary>The limit per call.</summary>
    public long LimitPerCall { get; internal init; }

    /// <summary>
    /// Whether the bytes are the whole process's (asynchronous code, whose calls run on any thread): other threads'
    /// allocations while the calls ran are then counted too. Otherwise they are the calling thread's alone.
    /// </summary>
    public bool ProcessWide { get; internal init; }

    /// <summary>On failure, the types the runtime's allocation sampling saw allocating most while the code ran again; empty on pass or where no sample was taken.</summary>
    public IReadOnlyList<AllocationSample> TopTypes { get; internal init; } = [];

    /// <summary>Whether the code allocated more per call than the limit.</summary>
    public bool IsOverLimit => BytesPerCall > LimitPerCall;

    /// <summary>The report, as a person reads it.</summary>
    public string Text => Reporting.AllocationText.Build(this);

    /// <inheritdoc/>
    public override string ToString() => Text;
}
