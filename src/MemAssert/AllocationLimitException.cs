namespace MemoryAssertions;

/// <summary>
/// Thrown by <see cref="MemAssert.AllocatesAtMost(Action, long, LeakOptions?, string?)"/> when the code allocates more
/// per call than its limit. <see cref="Exception.Message"/> is the full report; <see cref="Report"/> has the figures.
/// </summary>
public sealed class AllocationLimitException : Exception, IAssertionException
{
    /// <summary>Creates the exception for a report.</summary>
    public AllocationLimitException(AllocationReport report)
        : base((report ?? throw new ArgumentNullException(nameof(report))).Text)
    {
        Report = report;
    }

    /// <summary>Creates the exception with a message only (no report).</summary>
    public AllocationLimitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception (no report).</summary>
    public AllocationLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message (no report).</summary>
    public AllocationLimitException()
        : base("The code allocated more than its limit.")
    {
    }

    /// <summary>The figures, or <see langword="null"/> when the exception was created from a message alone.</summary>
    public AllocationReport? Report { get; }

    /// <summary>The stack trace without MemAssert's own frames, so it starts at the test.</summary>
    public override string? StackTrace => OwnFrames.Without(base.StackTrace);
}
