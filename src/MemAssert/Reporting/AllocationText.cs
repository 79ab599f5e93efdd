using System.Globalization;
using System.Text;

namespace MemoryAssertions.Reporting;

/// <summary>The prose of an <see cref="AllocationReport"/>: headline, how it was measured, the sampled types.</summary>
internal static class AllocationText
{
    private const int MaxTypes = 5;

    public static string Build(AllocationReport report)
    {
        var text = new StringBuilder();
        var code = $"`{report.Expression}`";
        text.AppendLine(report.IsOverLimit
            ? $"{code} allocated ~{ReportBuilder.Bytes(report.BytesPerCall)} per call, more than its limit of {ReportBuilder.Bytes(report.LimitPerCall)}."
            : $"{code} allocated ~{ReportBuilder.Bytes(report.BytesPerCall)} per call, within its limit of {ReportBuilder.Bytes(report.LimitPerCall)}.");
        text.AppendLine();
        text.Append("Measured: ").Append(report.Calls.ToString("N0", CultureInfo.InvariantCulture)).Append(" calls after the warm-up, ");
        text.AppendLine(report.ProcessWide
            ? "bytes allocated by the whole process while they ran (asynchronous code runs on any thread): other threads' allocations in that time are counted too, so this is an upper bound."
            : "bytes allocated by the calling thread (GC.GetAllocatedBytesForCurrentThread): work the code hands to other threads is not counted.");
        if (report.TopTypes.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Types that allocated most (the runtime's allocation sampling, about one sample per 100 KB, while the code ran again):");
            foreach (var sample in report.TopTypes.Take(MaxTypes))
            {
                text.Append("  ").Append(sample.TypeName).Append(": ~").AppendLine(ReportBuilder.Bytes(sample.SampledBytes));
            }
        }
        else if (report.IsOverLimit)
        {
            text.AppendLine();
            text.AppendLine("No allocation samples were taken while the code ran again (too few bytes for one sample, or event listening is off in this process).");
        }

        return text.ToString().TrimEnd() + Environment.NewLine;
    }
}
