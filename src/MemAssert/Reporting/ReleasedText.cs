using System.Text;

namespace MemoryAssertions.Reporting;

/// <summary>The prose of a <see cref="ReleasedReport"/>: headline, then the path of the object that was not released.</summary>
internal static class ReleasedText
{
    public static string Build(ReleasedReport report)
    {
        var text = new StringBuilder();
        var code = $"`{report.Expression}`";
        if (report.IsReleased)
        {
            text.Append("The ").Append(report.TypeName).Append(" made by ").Append(code).AppendLine(" was released: a full collection freed it.");
            return text.ToString();
        }

        text.Append("The ").Append(report.TypeName).Append(" made by ").Append(code).AppendLine(" is still alive after a full collection.");
        if (report.RetentionPath is { } path)
        {
            text.AppendLine();
            text.Append("Who holds it (the retention path of this object, from a GC root; ")
                .Append(report.Route == SnapshotRoute.Live ? "live route" : "dump route").AppendLine("):");
            ReportBuilder.AppendPath(text, path, "  ");
        }

        if (report.Note is { } note)
        {
            text.AppendLine();
            text.Append("Note: ").Append(note.TrimEnd('.')).AppendLine(".");
        }

        return text.ToString().TrimEnd() + Environment.NewLine;
    }
}
