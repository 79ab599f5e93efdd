namespace MemoryAssertions.TUnit;

/// <summary>
/// The failure of a <see cref="NoGrowthAttribute"/> test that leaks. <see cref="Exception.Message"/> is the full report;
/// <see cref="Report"/> has the data.
/// </summary>
public sealed class NoGrowthException : Exception
{
    /// <summary>Creates the failure for a report.</summary>
    /// <param name="report">The leak report.</param>
    public NoGrowthException(LeakReport report)
        : base((report ?? throw new ArgumentNullException(nameof(report))).Text)
    {
        Report = report;
    }

    /// <summary>Creates the failure with a message only (no report).</summary>
    /// <param name="message">The message.</param>
    public NoGrowthException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the failure with a message and its cause (no report).</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public NoGrowthException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the failure without a message (no report).</summary>
    public NoGrowthException()
    {
    }

    /// <summary>The report of the check; null when created without one.</summary>
    public LeakReport? Report { get; }
}
