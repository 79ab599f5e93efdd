using System.Diagnostics.CodeAnalysis;
using Xunit.Sdk;

namespace MemoryAssertions.XunitV3;

/// <summary>
/// The assertion failure of a <see cref="NoGrowthAttribute"/> test that leaks (an <c>XunitException</c>, so runners show it as a failed assertion). <see cref="Exception.Message"/> is the full report; <see cref="Report"/> has the data.
/// </summary>
[SuppressMessage("Design", "CA1032:Implement standard exception constructors", Justification = "Thrown by [NoGrowth] only, always with the report of its check.")]
public sealed class NoGrowthException : XunitException
{
    /// <summary>Creates the failure for a report.</summary>
    /// <param name="report">The leak report.</param>
    public NoGrowthException(LeakReport report)
        : base((report ?? throw new ArgumentNullException(nameof(report))).Text)
    {
        Report = report;
    }

    /// <summary>The report of the check.</summary>
    public LeakReport Report { get; }
}
