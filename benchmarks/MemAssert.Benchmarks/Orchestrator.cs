using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace MemoryAssertions.Benchmarks;

/// <summary>
/// Runs every case in child processes of its own (so that each peak-memory reading covers one operation and no case
/// inherits another's heap), collects their RESULT lines, and prints medians as Markdown tables.
/// </summary>
internal static class Orchestrator
{
    private static readonly List<Dictionary<string, string>> Rows = [];
    private static readonly List<string> Incidents = [];
    private static TimeSpan s_timeout = TimeSpan.FromMinutes(5);

    /// <summary>dotnet-gcdump's <c>--timeout</c>: far above any collect measured here (one of 5M objects takes seconds).</summary>
    private static readonly TimeSpan GcdumpTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Tables and plot again from the logs (standard error) of earlier runs, e.g. one run per heap size.</summary>
    public static int Report(string[] args)
    {
        string? output = null;
        string? svg = null;
        foreach (var (flag, value) in args.Zip(args.Skip(1)))
        {
            output = flag == "--out" ? value : output;
            svg = flag == "--svg" ? value : svg;
        }

        foreach (var log in args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || !args[i - 1].StartsWith("--", StringComparison.Ordinal))))
        {
            foreach (var line in File.ReadLines(log))
            {
                var at = line.IndexOf("] kind=", StringComparison.Ordinal);
                if (at >= 0 && !line.Contains("kind=target", StringComparison.Ordinal))
                {
                    Take("RESULT " + line[(at + 2)..]);
                }
                else if (line.StartsWith("- ", StringComparison.Ordinal) && line.Contains("killed", StringComparison.Ordinal))
                {
                    Incidents.Add(line[2..]);
                }
            }
        }

        var text = Tables() + (Incidents.Count == 0 ? "" : "\nIncidents:\n" + string.Join("\n", Incidents.Select(i => "- " + i)) + "\n");
        Console.WriteLine(text);
        if (output is not null)
        {
            File.WriteAllText(output, text);
        }

        if (svg is not null)
        {
            File.WriteAllText(svg, Plot());
        }

        return 0;
    }

    public static int Run(string[] args)
    {
        var sizes = new[] { 100_000, 1_000_000, 5_000_000 };
        var runs = 5;
        var cases = new HashSet<string> { "pass", "live", "dump", "gcdump", "snapshot" };
        string? output = null;
        string? svg = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--sizes":
                    sizes = args[i + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                    break;
                case "--runs":
                    runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--cases":
                    cases = [.. args[i + 1].Split(',')];
                    break;
                case "--out":
                    output = args[i + 1];
                    break;
                case "--timeout":
                    s_timeout = TimeSpan.FromSeconds(int.Parse(args[i + 1], CultureInfo.InvariantCulture));
                    break;
                case "--svg":
                    svg = args[i + 1];
                    break;
            }
        }

        var total = Stopwatch.StartNew();
        Log($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; sizes {string.Join(", ", sizes)}; {runs} runs");
        foreach (var size in sizes)
        {
            if (cases.Contains("pass"))
            {
                Child(["pass", Str(size), Str(runs)]);
            }

            for (var run = 1; run <= runs; run++)
            {
                // Interleaved so that a noisy minute on the shared machine hits every route alike.
                if (cases.Contains("live"))
                {
                    Child(["fail", Str(size), "Live", Str(run)]);
                }

                if (cases.Contains("dump"))
                {
                    Child(["fail", Str(size), "Dump", Str(run)]);
                }

                if (cases.Contains("gcdump"))
                {
                    Gcdump(size, run);
                }
            }

            if (cases.Contains("snapshot"))
            {
                Child(["snapshot", Str(size), "Live"]);
            }
        }

        var text = Tables() + (Incidents.Count == 0 ? "" : "\nIncidents:\n" + string.Join("\n", Incidents.Select(i => "- " + i)) + "\n") + $"\nTotal harness time: {total.Elapsed.TotalMinutes:0.0} min\n";
        Console.WriteLine();
        Console.WriteLine(text);
        if (output is not null)
        {
            File.WriteAllText(output, text + "\nRaw rows:\n" + string.Join("\n", Rows.Select(r => string.Join(' ', r.Select(kv => kv.Key + "=" + kv.Value)))) + "\n");
        }

        if (svg is not null)
        {
            File.WriteAllText(svg, Plot());
        }

        return 0;
    }

    private static string Plot()
    {
        IReadOnlyList<(double, double)> Points(Func<Dictionary<string, string>, bool> filter) => Rows
            .Where(filter)
            .GroupBy(r => Num(r, "objects"))
            .Select(g => (g.Key, Median(g.ToArray(), "ms") / 1000))
            .ToArray();

        return FailurePathPlot.Render(
            "Failure path: time to the leak report",
            [
                new("MemAssert, live route", "#1f77b4", "", Points(r => r["kind"] == "fail" && r["route"] == "Live" && r["thrown"] == "True")),
                new("MemAssert, dump route", "#d62728", "6 3", Points(r => r["kind"] == "fail" && r["route"] == "Dump" && r["thrown"] == "True")),
                new("dotnet-gcdump collect + report", "#7f7f7f", "2 3", Points(r => r["kind"] == "gcdump" && r["ok"] == "True")),
            ]);
    }

    private static void Child(string[] childArgs)
    {
        var start = SelfStartInfo(childArgs);
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (Rows)
                {
                    Take(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        if (!process.WaitForExit(s_timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            var incident = $"{string.Join(' ', childArgs)}: no result after {s_timeout.TotalSeconds:0} s, killed";
            Incidents.Add(incident);
            Log(incident);
            return;
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Incidents.Add($"{string.Join(' ', childArgs)}: exited with {process.ExitCode}");
            Log($"child {string.Join(' ', childArgs)} exited with {process.ExitCode}");
        }
    }

    /// <summary>
    /// What a user would run instead, on the same heap: <c>dotnet dotnet-gcdump collect -p PID</c>, then
    /// <c>dotnet dotnet-gcdump report FILE</c>, each timed from outside and wrapped in GNU time for its peak memory.
    /// </summary>
    private static void Gcdump(int size, int run)
    {
        var folder = Path.Combine(Path.GetTempPath(), "memassert-gcdump-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var file = Path.Combine(folder, "heap.gcdump");
        var start = SelfStartInfo(["gcdump-target", Str(size)]);
        start.RedirectStandardInput = true;
        using var target = Process.Start(start)!;
        try
        {
            var ready = target.StandardOutput.ReadLine() ?? "";
            if (!ready.StartsWith("READY ", StringComparison.Ordinal))
            {
                Log("gcdump target did not start: " + ready);
                return;
            }

            var pid = ready["READY ".Length..];
            // The tool's own --timeout (30 s by default) must not end a collect inside the measurement: it is set far
            // above any collect here, and a collect that reaches it anyway is discarded and reported, not timed.
            var collect = Tool(["collect", "-p", pid, "-o", file, "--timeout", Str((int)GcdumpTimeout.TotalSeconds)]);
            if (collect.Ms >= GcdumpTimeout.TotalMilliseconds - 1000)
            {
                var incident = $"gcdump {size} run {run}: collect took {collect.Ms / 1000:0.0} s, its --timeout of {GcdumpTimeout.TotalSeconds:0} s: discarded";
                Incidents.Add(incident);
                Log(incident);
                return;
            }

            var report = Tool(["report", file]);
            target.StandardInput.WriteLine("DONE");
            target.StandardInput.Flush();
            string? line;
            Dictionary<string, string>? targetRow = null;
            while ((line = target.StandardOutput.ReadLine()) is not null)
            {
                targetRow = Take(line) ?? targetRow;
            }

            target.WaitForExit();
            var row = new Dictionary<string, string>
            {
                ["kind"] = "gcdump",
                ["objects"] = Str(size),
                ["run"] = Str(run),
                ["collect_ms"] = Str(collect.Ms),
                ["report_ms"] = Str(report.Ms),
                ["ms"] = Str(collect.Ms + report.Ms),
                ["collect_tool_peak"] = Str(collect.PeakBytes),
                ["report_tool_peak"] = Str(report.PeakBytes),
                ["target_peak"] = targetRow?.GetValueOrDefault("peak") ?? "-1",
                ["target_rss_before"] = targetRow?.GetValueOrDefault("rss_before") ?? "-1",
                ["file_bytes"] = Str(File.Exists(file) ? new FileInfo(file).Length : -1),
                ["report_lines"] = Str(report.Lines),
                ["ok"] = collect.ExitCode == 0 && report.ExitCode == 0 ? "True" : "False",
            };
            Rows.Add(row);
            Log(string.Join(' ', row.Select(kv => kv.Key + "=" + kv.Value)));
        }
        finally
        {
            if (!target.HasExited)
            {
                target.Kill();
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    private static (double Ms, long PeakBytes, int ExitCode, int Lines) Tool(string[] toolArgs)
    {
        var start = new ProcessStartInfo(File.Exists("/usr/bin/time") ? "/usr/bin/time" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot(),
        };
        if (start.FileName == "/usr/bin/time")
        {
            foreach (var a in new[] { "-f", "GNUTIME %M", "dotnet" })
            {
                start.ArgumentList.Add(a);
            }
        }

        start.ArgumentList.Add("dotnet-gcdump");
        foreach (var a in toolArgs)
        {
            start.ArgumentList.Add(a);
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = Task.Run(() =>
        {
            var count = 0;
            while (process.StandardOutput.ReadLine() is not null)
            {
                count++;
            }

            return count;
        });

        // Bounded: the tool ends itself at its --timeout; a tool hung past that is killed.
        if (!process.WaitForExit(GcdumpTimeout + TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        stopwatch.Stop();
        var lines = stdout.Wait(TimeSpan.FromSeconds(10)) ? stdout.Result : -1;
        long peak = -1;
        foreach (var line in stderr.Result.Split('\n'))
        {
            if (line.StartsWith("GNUTIME ", StringComparison.Ordinal))
            {
                peak = long.Parse(line["GNUTIME ".Length..].Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }

        if (process.ExitCode != 0)
        {
            Log($"dotnet-gcdump {string.Join(' ', toolArgs)} exited with {process.ExitCode}: {stderr.Result.Trim()}");
        }

        return (stopwatch.Elapsed.TotalMilliseconds, peak, process.ExitCode, lines);
    }

    private static Dictionary<string, string>? Take(string line)
    {
        if (!line.StartsWith("RESULT ", StringComparison.Ordinal))
        {
            return null;
        }

        var row = line["RESULT ".Length..].Split(' ').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Rows.Add(row);
        Log(line["RESULT ".Length..]);
        return row;
    }

    private static string Tables()
    {
        var text = new StringBuilder();
        var sizes = Rows.Select(r => r["objects"]).Distinct().OrderBy(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();

        text.AppendLine("Pass path: MemAssert.NoLeak on a clean delegate vs the bare floor (medians)");
        text.AppendLine();
        text.AppendLine("| live objects | runs | iterations | floor | NoLeak | ratio (median of per-run ratios) | peak RSS floor | peak RSS NoLeak |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var size in sizes)
        {
            var rows = Of("pass", size).ToArray();
            if (rows.Length == 0)
            {
                continue;
            }

            text.AppendLine($"| {Objects(size)} | {rows.Length} | {rows[0]["noleak_iterations"]} | {Ms(Median(rows, "floor_ms"))} | {Ms(Median(rows, "noleak_ms"))} | {Median(rows, "ratio"):0.00}× | {Mb(Median(rows, "floor_peak"))} | {Mb(Median(rows, "noleak_peak"))} |");
        }

        text.AppendLine();
        text.AppendLine("Failure path: start of NoLeak on a leaking delegate to the thrown report, and dotnet-gcdump collect + report on the same heap (medians)");
        text.AppendLine();
        text.AppendLine("| live objects | MemAssert live route | MemAssert dump route | dump / live | dotnet-gcdump collect | dotnet-gcdump report | collect + report | peak RSS live | peak RSS dump (+ createdump) | peak RSS gcdump target / tool |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var size in sizes)
        {
            var live = Failures(size, "Live");
            var dump = Failures(size, "Dump");
            var gcdump = Of("gcdump", size).Where(r => r["ok"] == "True").ToArray();
            if (live.Length + dump.Length + gcdump.Length == 0)
            {
                continue;
            }

            var liveMs = Median(live, "ms");
            var dumpMs = Median(dump, "ms");
            var toolPeak = gcdump.Length == 0 ? double.NaN : gcdump.Select(r => Math.Max(Num(r, "collect_tool_peak"), Num(r, "report_tool_peak"))).Order().ElementAt(gcdump.Length / 2);
            text.AppendLine(
                $"| {Objects(size)} | {Ms(liveMs)} ({live.Length}) | {Ms(dumpMs)} ({dump.Length}) | {(double.IsNaN(liveMs) || double.IsNaN(dumpMs) ? "-" : (dumpMs / liveMs).ToString("0.0", CultureInfo.InvariantCulture) + "×")} | " +
                $"{Ms(Median(gcdump, "collect_ms"))} | {Ms(Median(gcdump, "report_ms"))} | {Ms(Median(gcdump, "ms"))} ({gcdump.Length}) | " +
                $"{Mb(Median(live, "peak"))} | {Mb(Median(dump, "peak"))} (+ {Mb(Median(dump, "children_peak"))}) | {Mb(Median(gcdump, "target_peak"))} / {Mb(toolPeak)} |");
        }

        text.AppendLine();
        text.AppendLine("The routes' own cost within the failure path: the time spent taking the four heap snapshots (medians; the rest is the same calls and GCs on both routes)");
        text.AppendLine();
        text.AppendLine("| live objects | live route: snapshots | dump route: snapshots | dump / live | live: rest of the check | dump: rest of the check |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var size in sizes)
        {
            var live = Failures(size, "Live");
            var dump = Failures(size, "Dump");
            if (live.Length + dump.Length == 0)
            {
                continue;
            }

            var liveMs = Median(live, "snapshots_ms");
            var dumpMs = Median(dump, "snapshots_ms");
            text.AppendLine(
                $"| {Objects(size)} | {Ms(liveMs)} ({live.Length}) | {Ms(dumpMs)} ({dump.Length}) | {(double.IsNaN(liveMs) || double.IsNaN(dumpMs) ? "-" : (dumpMs / liveMs).ToString("0.0", CultureInfo.InvariantCulture) + "×")} | " +
                $"{Ms(Median(live.Select(r => Rest(r)).ToArray(), "rest"))} | {Ms(Median(dump.Select(r => Rest(r)).ToArray(), "rest"))} |");
        }

        text.AppendLine();
        text.AppendLine("Live snapshots on their own: the first of a process, warm ones, and one compacting full GC of the same heap (medians)");
        text.AppendLine();
        text.AppendLine("| live objects | first snapshot | warm snapshot | first / warm | compacting GC | warm snapshot / GC |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var size in sizes)
        {
            var first = Of("snapshot", size).Where(r => r["run"] == "1").ToArray();
            var warm = Of("snapshot", size).Where(r => r["run"] != "1").ToArray();
            if (first.Length + warm.Length == 0)
            {
                continue;
            }

            text.AppendLine($"| {Objects(size)} | {Ms(Median(first, "ms"))} | {Ms(Median(warm, "ms"))} | {Ratio(Median(first, "ms"), Median(warm, "ms"))} | {Ms(Median(warm, "gc_ms"))} | {Ratio(Median(warm, "ms"), Median(warm, "gc_ms"))} |");
        }

        text.AppendLine();
        text.Append(Targets(sizes));

        var reportRoutes = Rows.Where(r => r["kind"] == "fail").GroupBy(r => r["route"] + " -> " + r["report_route"]).Select(g => $"{g.Key}: {g.Count()}");
        text.AppendLine();
        text.AppendLine("Routes the reports named (requested -> reported: runs): " + string.Join("; ", reportRoutes));
        return text.ToString();
    }

    /// <summary>Each target of the performance issue with the ratio this run measured (medians of one harness run).</summary>
    private static string Targets(string[] sizes)
    {
        var text = new StringBuilder();
        text.AppendLine("Targets, as measured in this run");
        text.AppendLine();
        text.AppendLine("| target | measured |");
        text.AppendLine("|---|---:|");
        string At(string size, Func<string, string> measure) => sizes.Contains(size) ? measure(size) : "-";
        double GcdumpMs(string size) => Median(Of("gcdump", size).Where(r => r["ok"] == "True").ToArray(), "ms");
        foreach (var size in new[] { "1000000", "5000000" })
        {
            text.AppendLine($"| failing check, live route ≤ 0.5× one gcdump collect + report, {Objects(size)} | {At(size, s => Ratio(Median(Failures(s, "Live"), "ms"), GcdumpMs(s)))} |");
        }

        text.AppendLine($"| failing check, dump route ≤ 3× one gcdump, 1M | {At("1000000", s => Ratio(Median(Failures(s, "Dump"), "ms"), GcdumpMs(s)))} |");
        var dumps = Rows.Where(r => r["kind"] == "fail" && r["route"] == "Dump" && r["thrown"] == "True").ToArray();
        text.AppendLine($"| dump route: 4 dumps per confirmation | {(dumps.Length == 0 ? "-" : string.Join(", ", dumps.Select(r => $"{r["snapshots_taken"]} dumps in {r["confirmations"]}").Distinct()))} (a leak also takes one dump after it is followed) |");
        foreach (var size in sizes)
        {
            var warm = Of("snapshot", size).Where(r => r["run"] != "1").ToArray();
            var first = Of("snapshot", size).Where(r => r["run"] == "1").ToArray();
            if (warm.Length > 0)
            {
                text.AppendLine($"| warm live snapshot ≤ 3× one compacting GC, {Objects(size)} | {Ratio(Median(warm, "ms"), Median(warm, "gc_ms"))} |");
                text.AppendLine($"| first live snapshot ≤ 1.5× a warm one, {Objects(size)} | {Ratio(Median(first, "ms"), Median(warm, "ms"))} |");
            }
        }

        foreach (var size in sizes)
        {
            var live = Failures(size, "Live");
            if (live.Length > 0)
            {
                text.AppendLine($"| peak extra memory of a failing check (live route) ≤ 1× the managed heap, {Objects(size)} | {Ratio(Median(live, "peak") - Median(live, "rss_before"), Median(live, "heap"))} |");
            }
        }

        text.AppendLine($"| passing check ≤ 0.5× the by-hand floor, 1M (median of per-run ratios) | {At("1000000", s => Ratio(Median(Of("pass", s).ToArray(), "ratio"), 1))} |");
        var low = sizes.FirstOrDefault();
        var high = sizes.LastOrDefault();
        if (low is not null && high is not null && low != high)
        {
            var exponent = Math.Log(Median(Failures(high, "Live"), "ms") / Median(Failures(low, "Live"), "ms")) / Math.Log(double.Parse(high, CultureInfo.InvariantCulture) / double.Parse(low, CultureInfo.InvariantCulture));
            text.AppendLine($"| failing check's cost linear in live objects ({Objects(low)} to {Objects(high)}, live route): exponent | {exponent:0.00} |");
        }

        return text.ToString();
    }

    private static string Ratio(double a, double b) => double.IsNaN(a) || double.IsNaN(b) || b <= 0 ? "-" : (a / b).ToString("0.00", CultureInfo.InvariantCulture) + "×";

    /// <summary>The failure-path rows of one size and route whose check threw, as every table of them uses.</summary>
    private static Dictionary<string, string>[] Failures(string size, string route) =>
        Of("fail", size).Where(r => r["route"] == route && r["thrown"] == "True").ToArray();

    private static Dictionary<string, string> Rest(Dictionary<string, string> row) =>
        new() { ["rest"] = (Num(row, "ms") - Num(row, "snapshots_ms")).ToString(CultureInfo.InvariantCulture) };

    private static IEnumerable<Dictionary<string, string>> Of(string kind, string size) => Rows.Where(r => r["kind"] == kind && r["objects"] == size);

    private static double Num(Dictionary<string, string> row, string key) => double.Parse(row[key], CultureInfo.InvariantCulture);

    private static double Median(IReadOnlyCollection<Dictionary<string, string>> rows, string key)
    {
        var values = rows.Select(r => Num(r, key)).Order().ToArray();
        if (values.Length == 0)
        {
            return double.NaN;
        }

        return values.Length % 2 == 1 ? values[values.Length / 2] : (values[(values.Length / 2) - 1] + values[values.Length / 2]) / 2;
    }

    private static string Ms(double ms) => double.IsNaN(ms) ? "-" : ms >= 1000 ? (ms / 1000).ToString("0.00 s", CultureInfo.InvariantCulture) : ms.ToString("0 ms", CultureInfo.InvariantCulture);

    private static string Mb(double bytes) => double.IsNaN(bytes) || bytes < 0 ? "-" : (bytes / (1024 * 1024)).ToString("0 MB", CultureInfo.InvariantCulture);

    private static string Objects(string size) => long.Parse(size, CultureInfo.InvariantCulture) switch
    {
        >= 1_000_000 and var n => (n / 1_000_000.0).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        var n => (n / 1_000.0).ToString("0.#", CultureInfo.InvariantCulture) + "K",
    };

    private static string Str(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static ProcessStartInfo SelfStartInfo(string[] childArgs)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }

        foreach (var a in childArgs)
        {
            start.ArgumentList.Add(a);
        }

        return start;
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, ".config", "dotnet-tools.json")))
            {
                return dir.FullName;
            }
        }

        return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", ".."));
    }

    private static void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
