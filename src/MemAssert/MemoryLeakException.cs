namespace MemoryAssertions;

/// <summary>
/// Marker recognised by name by xUnit v3 (and others) as an assertion failure, so a leak shows as a failed assertion
/// without this library referencing a test framework.
/// </summary>
internal interface IAssertionException;

/// <summary>
/// Thrown by <see cref="MemAssert.NoLeak(Action, LeakOptions?, CancellationToken, string?)"/> when the code leaks.
/// <see cref="Exception.Message"/> is the full report; <see cref="Report"/> has the data.
/// </summary>
public sealed class MemoryLeakException : Exception, IAssertionException
{
    /// <summary>Creates the exception for a report.</summary>
    public MemoryLeakException(LeakReport report)
        : base((report ?? throw new ArgumentNullException(nameof(report))).Text)
    {
        Report = report;
    }

    /// <summary>Creates the exception with a message only (no report).</summary>
    public MemoryLeakException(string message)
        : base(message)
    {
        Report = null;
    }

    /// <summary>Creates the exception with a message and an inner exception (no report).</summary>
    public MemoryLeakException(string message, Exception innerException)
        : base(message, innerException)
    {
        Report = null;
    }

    /// <summary>Creates the exception with a generic message (no report).</summary>
    public MemoryLeakException()
        : base("Memory leak detected.")
    {
        Report = null;
    }

    /// <summary>The leak report, or <see langword="null"/> when the exception was created from a message alone.</summary>
    public LeakReport? Report { get; }

    /// <summary>The stack trace without MemAssert's own frames, so it starts at the test.</summary>
    public override string? StackTrace => OwnFrames.Without(base.StackTrace);
}

/// <summary>Stack traces of MemAssert's failures, trimmed so that they start at the test.</summary>
internal static class OwnFrames
{
    public static string? Without(string? trace) =>
        trace is null
            ? null
            : string.Join('\n', trace.Split('\n').Where(l => !l.TrimStart().StartsWith("at MemoryAssertions.", StringComparison.Ordinal)));
}
