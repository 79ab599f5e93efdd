using System.Globalization;
using System.Text;

namespace MemoryAssertions.Reporting;

/// <summary>
/// All of a report's prose, made from the typed <see cref="LeakReport"/>: pure, with fixed sections in a fixed order
/// (headline, verdict, live-heap sparkline, leaked objects and their retention paths, heap diff, snapshot line). Type
/// names, field names, counts and sizes only: the report never reads an object's contents.
/// </summary>
internal static class ReportBuilder
{
    private const int MaxDiffRows = 10;

    /// <summary>The widest key the diff table shows whole.</summary>
    private const int MaxKeyWidth = 72;

    /// <summary>Owned groups named in the headline at most.</summary>
    private const int MaxOwnedInHeadline = 2;

    public static string Build(LeakReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(Headline(report));
        text.AppendLine();
        text.Append("Verdict: ").Append(Verdict(report)).AppendLine(".");
        AppendLiveBytes(text, report);
        AppendLeaks(text, report);
        AppendDiff(text, report);
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

        if (report.Leaks.Count == 0 || report.SnapshotIterations == 0)
        {
            return $"{code} leaked ~{Bytes(report.GrowthPerIteration)} per iteration over {report.Iterations} iterations.";
        }

        var calls = report.SnapshotIterations;
        var leak = report.Leaks[0];
        var what = new StringBuilder(Rate(leak.Leaked.CountDelta, calls, leak.TypeName));
        if (leak.Owned.Count > 0)
        {
            what.Append(", owning ").AppendJoin(", ", leak.Owned.Take(MaxOwnedInHeadline).Select(g => Rate(g.CountDelta, calls, g.TypeName)));
            if (leak.Owned.Count > MaxOwnedInHeadline)
            {
                what.Append(" and ").Append(Count(leak.Owned.Count - MaxOwnedInHeadline)).Append(" more");
            }
        }

        if (leak.HeldThrough.Any(g => g.CountDelta > 0))
        {
            what.Append(", held through ").AppendJoin(", ", leak.HeldThrough.Where(g => g.CountDelta > 0).Select(g => Rate(g.CountDelta, calls, g.TypeName)));
        }

        if (report.Leaks.Count > 1)
        {
            what.Append("; and ").Append(Count(report.Leaks.Count - 1)).Append(report.Leaks.Count == 2 ? " more leak" : " more leaks");
        }

        return $"{code} leaked ~{Bytes(report.BytesPerCall)} per iteration ({what}) over {report.Iterations} iterations.";
    }

    /// <summary>The verdict sentence, from the outcome.</summary>
    internal static string Verdict(LeakReport report) => report.Outcome switch
    {
        CheckOutcome.NoGrowth => report.JudgedFrom == 0 ? "the live heap did not grow" : $"the live heap did not grow over {Judged(report)}",
        CheckOutcome.GrowthNotSustained when report.DroppedTooLate =>
            $"the live heap dropped below its baseline at iteration {report.JudgedFrom} (memory held from before the run was freed), " +
            $"too late for the {report.Iterations - report.JudgedFrom} iterations after it to show steady growth; a leak smaller than that drop would be hidden",
        CheckOutcome.GrowthNotSustained when report.Rises > 0 =>
            $"the live heap rose but not steadily over {Judged(report)} (growth that stops, such as a cache filling, is not a leak)",
        CheckOutcome.GrowthNotSustained =>
            $"the live heap shrank through {Judged(report)} (memory freed elsewhere in the process), so no steady growth was seen; a leak smaller than that shrinking would be hidden",
        CheckOutcome.GrewElsewhere when report.SnapshotRoute == SnapshotRoute.Live =>
            $"the live heap rose, but no retention path group grew with the calls in {(report.SecondConfirmation ? "both of two live confirmations" : "live snapshots")} " +
            $"{report.SnapshotIterations / 2} calls apart; live snapshots see no thread stacks, so growth held only by a thread's stack " +
            "(a worker's local collection) is not seen by them: Snapshots = Auto or Dump confirms it on the dump route, which sees stacks",
        CheckOutcome.GrewElsewhere =>
            $"the live heap rose, but no retention path group grew with the calls in {(report.SecondConfirmation ? "both of two heap confirmations" : "heap snapshots")} " +
            $"{report.SnapshotIterations / 2} calls apart (what grew came from elsewhere: other threads, caches filling, runtime data)",
        CheckOutcome.GrowthStopped =>
            $"the live heap grew and the heap snapshots showed {Stopped(report)} growing with the calls, but followed for " +
            $"{Count(report.FollowCalls)} more calls it stopped growing (growth that stops at a bound, such as a cache filling, is not a leak)",
        CheckOutcome.SnapshotsBusy =>
            $"the live heap grew in every quarter of {Judged(report)}, but heap snapshots to confirm a leak could not be taken " +
            $"({report.SnapshotsUnavailableReason?.TrimEnd('.')}), and live bytes alone are not reported as a leak in a process this busy",
        CheckOutcome.Leak => $"the live heap grew in every quarter of {Judged(report)} and the heap snapshots confirmed it",
        _ => $"the live heap grew in every quarter of {Judged(report)}; heap snapshots were not available to confirm it",
    };

    /// <summary>What stopped growing when a confirmed leak was followed: each group's type and root.</summary>
    private static string Stopped(LeakReport report) =>
        string.Join("; ", report.StoppedGrowing.Select(l => $"{l.TypeName} held by {l.Leaked.Path.RootName}{Followed(report, l)}"));

    /// <summary>What a stopped leak's group gained when followed, against what its rate predicted.</summary>
    private static string Followed(LeakReport report, LeakedObject leak) =>
        report.Followed.FirstOrDefault(f => f.Stopped && f.TypeName == leak.TypeName && f.RootName == leak.Leaked.Path.RootName) is { } f
            ? f.ByCount
                ? $" (+{Count(f.Grew)} instances where its rate predicted +{Count((long)Math.Round(f.Predicted))})"
                : $" (+{Count(f.Grew)} B where its rate predicted +{Count((long)Math.Round(f.Predicted))} B)"
            : "";

    /// <summary>The iterations the verdict rests on: all of them, or those after the heap dropped to a new low.</summary>
    private static string Judged(LeakReport report) =>
        report.JudgedFrom == 0
            ? $"{report.Iterations} iterations"
            : $"the {report.Iterations - report.JudgedFrom} iterations after it dropped below its baseline at iteration {report.JudgedFrom} (memory held from before the run was freed)";

    /// <summary>The note of a snapshot whose dump could not be kept where the caller asked.</summary>
    internal static string NotKept(string reason) => $"the dump was not kept, since {reason.TrimEnd('.')}; it was deleted after reading";

    /// <summary>The note of a snapshot that the dump route took because the live route could not.</summary>
    internal static string FellBack(string reason) => $"the live route was unavailable ({reason.TrimEnd('.')}), so the dump route was used";

    /// <summary><c>1 × T</c>, <c>3 × T</c>, or <c>1 × T every 10 iterations</c> for a leak sparser than one per call.</summary>
    internal static string Rate(long count, int iterations, string type)
    {
        if (count >= 0.95 * iterations)
        {
            var perIteration = (double)count / iterations;
            var shown = Math.Abs(perIteration - Math.Round(perIteration)) < 0.05
                ? Math.Round(perIteration).ToString("N0", CultureInfo.InvariantCulture)
                : perIteration.ToString("0.#", CultureInfo.InvariantCulture);
            return $"{shown} × {type}";
        }

        if (count <= 0)
        {
            return $"{type} growing in place";
        }

        var every = Math.Max(1, (int)Math.Round((double)iterations / count));
        return $"1 × {type} every {every} iterations";
    }

    /// <summary><c>+1 per call</c>, <c>+2.5 per call</c>, <c>+1 every 10 calls</c>, or <c>grew in place</c> for a group whose count did not change.</summary>
    internal static string PerCall(double newPerCall)
    {
        if (newPerCall <= 0)
        {
            return "grew in place";
        }

        if (newPerCall >= 0.95)
        {
            var shown = Math.Abs(newPerCall - Math.Round(newPerCall)) < 0.05
                ? Math.Round(newPerCall).ToString("N0", CultureInfo.InvariantCulture)
                : newPerCall.ToString("0.#", CultureInfo.InvariantCulture);
            return $"+{shown} per call";
        }

        return $"+1 every {Math.Round(1 / newPerCall).ToString("N0", CultureInfo.InvariantCulture)} calls";
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

    private static void AppendLeaks(StringBuilder text, LeakReport report)
    {
        if (report.IsLeak && report.StoppedGrowing.Count > 0)
        {
            text.AppendLine();
            text.Append("Grew with the calls but stopped when followed for ").Append(Count(report.FollowCalls))
                .Append(" more calls (not counted): ").Append(Stopped(report)).AppendLine(".");
        }

        if (report.RetentionPaths.Count == 0)
        {
            return;
        }

        text.AppendLine();
        text.AppendLine("Leaked objects and who holds them (retention paths from a GC root):");
        for (var i = 0; i < report.RetentionPaths.Count && i < report.Leaks.Count; i++)
        {
            var leak = report.Leaks[i];
            var path = report.RetentionPaths[i];
            text.Append("  ").Append(Count(i + 1)).Append(". ").Append(path.TypeName).Append(": ")
                .Append(PerCall(path.NewPerCall)).Append("; ")
                .Append(Count(path.Instances)).Append(" of ").Append(Count(path.TotalInstances))
                .AppendLine(" live instances, held by");
            AppendPath(text, path, "     ");
            if (path.OtherPaths > 0)
            {
                text.Append("     (the path that holds most of them; ").Append(Count(path.OtherPaths))
                    .Append(path.OtherPaths == 1 ? " other path" : " other paths").AppendLine(" from the same root hold the rest)");
            }

            foreach (var owned in leak.Owned)
            {
                text.Append("     owning ").Append(owned.TypeName).Append(": ").Append(PerCall(owned.Path.NewPerCall));
                var below = owned.Path.Hops.Skip(path.Hops.Count).ToArray();
                if (below.Length > 0)
                {
                    text.Append(", through ").AppendJoin(" ", below.Select(Step));
                }

                text.AppendLine();
            }
        }
    }

    internal static void AppendPath(StringBuilder text, RetentionPath path, string indent)
    {
        text.Append(indent).Append(path.RootName).Append(" (").Append(path.RootTypeName).AppendLine(")");
        foreach (var hop in path.Hops)
        {
            text.Append(indent).Append("  → ").AppendLine(Hop(hop));
        }
    }

    /// <summary>A field as the code names it: an auto-property's backing field by its property's name.</summary>
    private static string Step(RetentionHop hop)
    {
        var field = hop.Field.StartsWith('<') && hop.Field.IndexOf(">k__BackingField", StringComparison.Ordinal) is > 1 and var end
            ? hop.Field[1..end] + hop.Field[(end + ">k__BackingField".Length)..]
            : hop.Field;
        return field.StartsWith('[') || field.StartsWith('(') ? field : "." + field;
    }

    private static string Hop(RetentionHop hop) =>
        Step(hop) + " " + hop.TypeName + (hop.Repeats > 1 ? $" (×{hop.Repeats.ToString(CultureInfo.InvariantCulture)})" : "");

    private static void AppendDiff(StringBuilder text, LeakReport report)
    {
        if (report.SnapshotIterations == 0 || report.Diff.Count == 0)
        {
            return;
        }

        var leaked = new HashSet<string>(report.Leaks.SelectMany(LeakKeys), StringComparer.Ordinal);
        var rows = report.Diff.Where(d => leaked.Contains(d.Key))
            .Concat(report.Diff.Where(d => !leaked.Contains(d.Key) && d.BytesDelta > 0))
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
            .Append(Count(report.SnapshotIterations))
            .AppendLine(" iterations, all instances however held (* = has a leaked object's path group):");

        var table = new List<string[]> { new[] { "", header, "Δcount", "Δbytes", "per iteration" } };
        foreach (var row in rows)
        {
            table.Add(
            [
                leaked.Contains(row.Key) ? "*" : "",
                Shortened(row.Key),
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

        var more = report.Diff.Count(d => d.BytesDelta > 0 || leaked.Contains(d.Key)) - rows.Length;
        if (more > 0)
        {
            text.Append("  … and ").Append(Count(more)).AppendLine(" more that grew less");
        }
    }

    /// <summary>Keeps the diff table narrow: a name longer than <see cref="MaxKeyWidth"/> keeps its start and end.</summary>
    private static string Shortened(string key) =>
        key.Length <= MaxKeyWidth ? key : key[..((MaxKeyWidth / 2) - 1)] + "…" + key[^(MaxKeyWidth / 2)..];

    /// <summary>The diff keys of a leak's groups: their types (namespaces and assemblies are not in the report's groups, so only types are marked).</summary>
    private static IEnumerable<string> LeakKeys(LeakedObject leak) =>
        leak.Owned.Concat(leak.HeldThrough).Prepend(leak.Leaked).Select(g => g.TypeName);

    private static void AppendSnapshotLine(StringBuilder text, LeakReport report)
    {
        text.AppendLine();
        if (report.SnapshotsUnavailableReason is { } reason)
        {
            text.Append("No heap diff or retention paths: ").Append(reason.TrimEnd('.')).AppendLine(".");
        }
        else if (report.SnapshotRoute is { } route)
        {
            text.Append("Snapshots: ").Append(route == SnapshotRoute.Live ? "live route (read in this process, nothing written to disk)" : "dump route (heap dump in a private temp folder, deleted after reading)");
            if (report.SnapshotIterations > 0)
            {
                var k = Count(report.SnapshotIterations / 2);
                text.Append("; 4 snapshots: after ").Append(k).Append(" iterations, ").Append(k)
                    .Append(" full GCs without calls (the control), and ").Append(k).Append(" iterations more");
            }

            var followed = report.FollowCalls > 0 ? 1 : 0;
            if (report.SnapshotsTaken - followed > 4)
            {
                text.Append("; ").Append(Count(report.SnapshotsTaken - followed)).Append(" snapshots taken in all");
                if (report.SecondConfirmation)
                {
                    text.Append(" (a second confirmation: only what grew in both is reported)");
                }
            }

            if (report.FollowCalls > 0)
            {
                text.Append("; and one more after ").Append(Count(report.FollowCalls)).Append(" more calls, to tell a leak (which grows on) from a bounded cache (which stops)");
            }

            switch (report.RouteFallback)
            {
                case RouteFallback.LiveUnavailable:
                    text.Append("; ").Append(FellBack(report.LiveRouteUnavailableReason ?? "no reason given"));
                    break;
                case RouteFallback.LiveSawNoGrowth:
                    text.Append("; no leak was confirmed in live snapshots, which see no thread stacks, so the dump route (which does) was used");
                    break;
            }

            text.AppendLine(".");
        }

        foreach (var file in report.KeptFiles)
        {
            text.Append("Kept snapshot: ").AppendLine(file);
        }

        if (report.SnapshotsNotKept > 0)
        {
            text.Append("Snapshots not kept: ").Append(Count(report.SnapshotsNotKept)).Append(report.SnapshotsNotKept == 1 ? " dump" : " dumps")
                .Append(", since ").Append(report.SnapshotsNotKeptReason?.TrimEnd('.') ?? "no reason given")
                .AppendLine("; each was read and deleted like any other, and the verdict stands.");
        }

        text.Append("Warm-up ").Append(Count(report.Warmup))
            .Append(", iterations ").Append(Count(report.Iterations))
            .Append(", took ").Append(report.Elapsed.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture)).Append(" ms");
        if (report.SnapshotsElapsed > TimeSpan.Zero)
        {
            text.Append(" (heap snapshots ").Append(report.SnapshotsElapsed.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture)).Append(" ms)");
        }

        text.AppendLine(".");
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

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
