using System.Globalization;
using System.Text;

namespace MemoryAssertions.Reporting;

/// <summary>
/// Builds the report text from a <see cref="LeakReport"/>: pure, with fixed sections in a fixed order (headline,
/// verdict, live-heap sparkline, heap diff, retention paths, snapshot line). Type names, field names, counts and sizes
/// only: the report never reads an object's contents.
/// </summary>
internal static class ReportBuilder
{
    private const int MaxDiffRows = 10;

    public static string Build(LeakReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(Headline(report));
        text.AppendLine();
        text.Append("Verdict: ").Append(report.Verdict).AppendLine(".");
        AppendLiveBytes(text, report);
        AppendDiff(text, report);
        AppendPaths(text, report);
        AppendSnapshotLine(text, report);
        return text.ToString().TrimEnd() + Environment.NewLine;
    }

    internal static string Headline(LeakReport report)
    {
        var code = $"`{report.Expression}`";
        if (!report.IsLeak)
        {
            return $"{code} did not leak over {report.Iterations} iterations.";
        }

        var what = "";
        if (report.GrowingTypes.Count > 0 && report.SnapshotIterations > 0)
        {
            var top = report.GrowingTypes[0];
            what = " (" + Rate(top.CountDelta, report.SnapshotIterations, top.Key) + ")";
        }

        return $"{code} leaked ~{Bytes(report.GrowthPerIteration)} per iteration{what} over {report.Iterations} iterations.";
    }

    /// <summary><c>1 × T</c>, <c>3 × T</c>, or <c>1 × T every 10 iterations</c> for a leak sparser than one per call.</summary>
    internal static string Rate(long count, int iterations, string type)
    {
        if (count >= iterations)
        {
            var perIteration = (double)count / iterations;
            var shown = Math.Abs(perIteration - Math.Round(perIteration)) < 0.05
                ? Math.Round(perIteration).ToString("N0", CultureInfo.InvariantCulture)
                : perIteration.ToString("0.#", CultureInfo.InvariantCulture);
            return $"{shown} × {type}";
        }

        var every = Math.Max(1, (int)Math.Round((double)iterations / Math.Max(1, count)));
        return $"1 × {type} every {every} iterations";
    }

    private static void AppendLiveBytes(StringBuilder text, LeakReport report)
    {
        if (report.LiveBytes.Count == 0)
        {
            return;
        }

        var first = report.LiveBytes[0];
        var last = report.LiveBytes[^1];
        text.Append("Live heap after warm-up and each iteration (")
            .Append(Size(first)).Append(" → ").Append(Size(last))
            .Append(", ").Append(report.GrowthPerIteration <= 0 ? "no growth" : $"~{Bytes(report.GrowthPerIteration)} per iteration")
            .Append("): ")
            .AppendLine(Sparkline.Render(report.LiveBytes, 60));
    }

    private static void AppendDiff(StringBuilder text, LeakReport report)
    {
        if (report.SnapshotIterations == 0 || (report.Diff.Count == 0 && report.GrowingTypes.Count == 0))
        {
            return;
        }

        var growing = new HashSet<string>(report.GrowingTypes.Select(g => g.Key), StringComparer.Ordinal);
        var rows = report.GrowingTypes
            .Concat(report.Diff.Where(d => !growing.Contains(d.Key) && d.BytesDelta > 0))
            .Take(MaxDiffRows)
            .ToArray();
        if (rows.Length == 0)
        {
            return;
        }

        var header = report.GroupBy switch
        {
            GroupBy.Namespace => "Namespace",
            GroupBy.Assembly => "Assembly",
            _ => "Type",
        };
        text.AppendLine();
        text.Append("Heap diff by ").Append(header.ToLowerInvariant()).Append(" over ")
            .Append(report.SnapshotIterations.ToString(CultureInfo.InvariantCulture))
            .AppendLine(" iterations (* = grew with the calls and not without them):");

        var table = new List<string[]> { new[] { "", header, "Δcount", "Δbytes", "per iteration" } };
        foreach (var row in rows)
        {
            table.Add(
            [
                growing.Contains(row.Key) ? "*" : "",
                row.Key,
                Signed(row.CountDelta),
                Signed(row.BytesDelta) + " B",
                Bytes((double)row.BytesDelta / report.SnapshotIterations),
            ]);
        }

        var widths = Enumerable.Range(0, 5).Select(c => table.Max(r => r[c].Length)).ToArray();
        foreach (var row in table)
        {
            text.Append("  ").Append(row[0].PadRight(widths[0])).Append(' ')
                .Append(row[1].PadRight(widths[1])).Append("  ")
                .Append(row[2].PadLeft(widths[2])).Append("  ")
                .Append(row[3].PadLeft(widths[3])).Append("  ")
                .AppendLine(row[4].PadLeft(widths[4]).TrimEnd());
        }

        var more = report.Diff.Count(d => d.BytesDelta > 0) + report.GrowingTypes.Count(g => !report.Diff.Contains(g)) - rows.Length;
        if (more > 0)
        {
            text.Append("  … and ").Append(more.ToString(CultureInfo.InvariantCulture)).AppendLine(" more that grew less");
        }
    }

    private static void AppendPaths(StringBuilder text, LeakReport report)
    {
        if (report.RetentionPaths.Count == 0)
        {
            return;
        }

        text.AppendLine();
        text.AppendLine("Retention paths (who holds the leaked objects):");
        var number = 0;
        foreach (var path in report.RetentionPaths)
        {
            number++;
            text.Append("  ").Append(number.ToString(CultureInfo.InvariantCulture)).Append(". ")
                .Append(path.TypeName).Append(": ")
                .Append(path.Instances.ToString("N0", CultureInfo.InvariantCulture)).Append(" of ")
                .Append(path.TotalInstances.ToString("N0", CultureInfo.InvariantCulture)).AppendLine(" live instances held by");
            text.Append("     ").Append(RootLabel(path.RootKind)).Append(' ').Append(path.RootName)
                .Append(" (").Append(path.RootTypeName).AppendLine(")");
            foreach (var hop in path.Hops)
            {
                text.Append("       → ").Append(hop.Field.StartsWith('[') || hop.Field.StartsWith('(') ? hop.Field : "." + hop.Field)
                    .Append(' ').Append(hop.TypeName);
                if (hop.Repeats > 1)
                {
                    text.Append(" (×").Append(hop.Repeats.ToString(CultureInfo.InvariantCulture)).Append(')');
                }

                text.AppendLine();
            }
        }
    }

    private static void AppendSnapshotLine(StringBuilder text, LeakReport report)
    {
        text.AppendLine();
        if (report.SnapshotsUnavailableReason is { } reason)
        {
            text.Append("No heap diff or retention paths: ").Append(reason.TrimEnd('.')).AppendLine(".");
        }
        else if (report.SnapshotRoute is { } route)
        {
            text.Append("Snapshots: ").Append(route).Append(" route");
            text.Append(route == "live" ? " (read in place, nothing written to disk)" : " (heap dump in a private temp folder, deleted after reading)");
            if (report.SnapshotIterations > 0)
            {
                var k = (report.SnapshotIterations / 2).ToString(CultureInfo.InvariantCulture);
                text.Append("; 4 snapshots: after ").Append(k).Append(" iterations, ").Append(k)
                    .Append(" full GCs without calls (the control), and ").Append(k).Append(" iterations more");
            }

            if (report.SnapshotNote is { } note)
            {
                text.Append("; ").Append(note);
            }

            text.AppendLine(".");
        }

        foreach (var file in report.KeptFiles)
        {
            text.Append("Kept snapshot: ").AppendLine(file);
        }

        text.Append("Warm-up ").Append(report.Warmup.ToString(CultureInfo.InvariantCulture))
            .Append(", iterations ").Append(report.Iterations.ToString(CultureInfo.InvariantCulture))
            .Append(", took ").Append(report.Elapsed.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture)).Append(" ms");
        if (report.SnapshotsElapsed > TimeSpan.Zero)
        {
            text.Append(" (heap snapshots ").Append(report.SnapshotsElapsed.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture)).Append(" ms)");
        }

        text.AppendLine(".");
    }

    private static string RootLabel(RootKind kind) => kind switch
    {
        RootKind.StaticField => "static field",
        RootKind.StaticEvent => "static event",
        RootKind.ThreadStatic => "thread-static field",
        RootKind.StrongHandle => "strong handle",
        RootKind.PinnedHandle => "pinned handle",
        RootKind.Stack => "stack of thread",
        RootKind.FinalizerQueue => "finalizer queue",
        _ => "root",
    };

    internal static string Bytes(double bytes) =>
        bytes >= 10 || bytes == 0
            ? Math.Round(bytes).ToString("N0", CultureInfo.InvariantCulture) + " B"
            : bytes.ToString("0.#", CultureInfo.InvariantCulture) + " B";

    internal static string Signed(long value) =>
        (value > 0 ? "+" : "") + value.ToString("N0", CultureInfo.InvariantCulture);

    internal static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.0#", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.0#", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.0#", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
