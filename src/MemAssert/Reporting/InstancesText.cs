using System.Globalization;
using System.Text;

namespace MemoryAssertions.Reporting;

/// <summary>The prose of an <see cref="InstancesReport"/>: headline, route (and whether stacks were seen), paths.</summary>
internal static class InstancesText
{
    public static string Build(InstancesReport report)
    {
        var text = new StringBuilder();
        var count = report.Count.ToString("N0", CultureInfo.InvariantCulture);
        text.AppendLine(report.Count == 0
            ? $"No live instance of {report.What} after a full collection."
            : $"{count} live {(report.Count == 1 ? "instance" : "instances")} of {report.What} after a full collection ({ReportBuilder.Bytes(report.Bytes)}), expected none.");
        text.AppendLine();
        text.Append("Seen on the ").Append(report.Route == SnapshotRoute.Live ? "live route" : "dump route");
        text.Append(report.StacksSeen
            ? ", which sees thread stacks: instances held only by a local (of this test's own frames too) are counted"
            : ", which sees no thread stacks: instances held only by a local on a thread's stack are not counted");
        if (report.Note is { } note)
        {
            text.Append("; ").Append(note.TrimEnd('.'));
        }

        text.AppendLine(".");
        if (report.RetentionPaths.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Who holds them (retention paths from a GC root):");
            for (var i = 0; i < report.RetentionPaths.Count; i++)
            {
                var path = report.RetentionPaths[i];
                text.Append("  ").Append(i + 1).Append(". ").Append(path.TypeName).Append(": ")
                    .Append(path.Instances.ToString("N0", CultureInfo.InvariantCulture)).AppendLine(" held by");
                ReportBuilder.AppendPath(text, path, "     ");
            }
        }

        return text.ToString().TrimEnd() + Environment.NewLine;
    }
}
