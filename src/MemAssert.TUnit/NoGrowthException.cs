using System.Diagnostics.CodeAnalysis;

namespace MemoryAssertions.TUnit;

/// <summary>
/// The failure of a <see cref="NoGrowthAttribute"/> test that leaks. <see cref="Exception.Message"/> is the full report; <see cref="Report"/> has the data.
/// </summary>
[SuppressMessage("Design", "CA1032:Implement standard exception constructors", Justification = "Thrown by [NoGrowth] only, always with the report of its check.")]
public sealed class NoGrowthException : Exception
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
