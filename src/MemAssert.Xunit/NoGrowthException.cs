using Xunit.Sdk;

// Compiled into both xUnit adapters (MemAssert.XunitV3 links this file and defines XUNIT_V3): one exception, two namespaces.
#if XUNIT_V3
namespace MemoryAssertions.XunitV3;
#else
namespace MemoryAssertions.Xunit;
#endif

/// <summary>
/// The assertion failure of a <see cref="NoGrowthAttribute"/> test that leaks. <see cref="Exception.Message"/> is the
/// full report; <see cref="Report"/> has the data.
/// </summary>
public sealed class NoGrowthException : XunitException
{
    /// <summary>Creates the failure for a report.</summary>
    public NoGrowthException(LeakReport report)
        : base((report ?? throw new ArgumentNullException(nameof(report))).Text)
    {
        Report = report;
    }

    /// <summary>Creates the failure with a message only (no report).</summary>
    public NoGrowthException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the failure with a message and an inner exception (no report).</summary>
    public NoGrowthException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the failure with a generic message (no report).</summary>
    public NoGrowthException()
        : base("Memory leak detected.")
    {
    }

    /// <summary>The leak report, or <see langword="null"/> when the exception was created from a message alone.</summary>
    public LeakReport? Report { get; }
}
