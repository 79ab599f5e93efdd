using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using MemoryAssertions.Reporting;

namespace MemoryAssertions.Adapters;

/// <summary>
/// Report files to attach to test results, for every adapter: the report as text and the live bytes per iteration as an
/// SVG plot (with the fitted growth), and the snapshots kept at the user's request.
/// </summary>
/// <remarks>
/// <para>Files live in one private folder per test process, <c>{temp}/memassert-reports-{pid}-{random}</c> (mode 0700,
/// files 0600), and hold the report text and plot only: type names, counts and sizes, never object contents.</para>
/// <para>They outlive the test process on purpose. Runners read attachments after the test host has gone: the VSTest
/// TRX logger copies them in its own process when the last result batch arrives, and IDEs link to the path. Deleting
/// the folder when the test process exits lost attachments from the last batch in a measured TRX run. So at exit the
/// folder only gets an <c>.exited</c> marker, and the first report written by a later test process deletes folders
/// whose marker is more than 5 minutes old, or, when the process died without one, whose process is gone and whose
/// last write is more than an hour old.</para>
/// </remarks>
internal static class ReportFiles
{
    private const string Prefix = "memassert-reports-";
    private const string ExitedMarker = ".exited";
    private static readonly TimeSpan ExitedGrace = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan CrashedGrace = TimeSpan.FromHours(1);

    private static readonly object Sync = new();
    private static string? _folder;
    private static int _counter;

    /// <summary>
    /// The report and plot files (written now) when the check found a leak or <paramref name="evenOnPass"/>, and any
    /// snapshot files the user asked to keep, with descriptions.
    /// </summary>
    public static IReadOnlyList<(string Path, string Description)> For(LeakReport report, string expression, bool evenOnPass = false)
    {
        ArgumentNullException.ThrowIfNull(report);
        var files = new List<(string, string)>();
        if (report.IsLeak || evenOnPass)
        {
            var (text, plot) = Write(report, expression);
            files.Add((text, report.IsLeak ? "MemAssert leak report" : "MemAssert report (no leak)"));
            files.Add((plot, "MemAssert live bytes per iteration"));
        }

        foreach (var kept in report.KeptFiles)
        {
            files.Add((kept, "MemAssert heap snapshot (kept at your request)"));
        }

        return files;
    }

    private static (string Text, string Plot) Write(LeakReport report, string expression)
    {
        string file;
        lock (Sync)
        {
            if (_folder is null)
            {
                DeleteStaleFolders();
                _folder = CreateFolder();
            }

            _counter++;
            file = Path.Combine(_folder, $"{_counter:D4}-{SafeName(expression)}.memassert");
        }

        WriteText(file + ".txt", report.Text);
        WriteText(file + ".svg", LiveBytesPlot.Render(report));
        return (file + ".txt", file + ".svg");
    }

    private static void WriteText(string path, string text)
    {
        using var writer = new StreamWriter(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), OwnerOnly(FileMode.CreateNew));
        writer.Write(text);
    }

    private static string CreateFolder()
    {
        var path = Path.Combine(
            Path.GetTempPath(),
            string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid():N}")[..(Prefix.Length + 30)]);
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => MarkExited(path);
        return path;
    }

    private static void MarkExited(string folder)
    {
        try
        {
            using var _ = new FileStream(Path.Combine(folder, ExitedMarker), OwnerOnly(FileMode.Create));
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Deletes report folders of earlier test processes once runners have had time to read them.</summary>
    internal static void DeleteStaleFolders()
    {
        var now = DateTime.UtcNow;
        string[] folders;
        try
        {
            folders = Directory.GetDirectories(Path.GetTempPath(), Prefix + "*");
        }
        catch (IOException)
        {
            return;
        }
        catch (UnauthorizedAccessException)
        {
            return;
        }

        foreach (var folder in folders)
        {
            try
            {
                var marker = Path.Combine(folder, ExitedMarker);
                var stale = File.Exists(marker)
                    ? now - File.GetLastWriteTimeUtc(marker) > ExitedGrace
                    : !IsRunning(folder) && now - Directory.GetLastWriteTimeUtc(folder) > CrashedGrace;
                if (stale)
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            catch (IOException)
            {
                // Another user's folder, or one in use: leave it.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static bool IsRunning(string folder)
    {
        var name = Path.GetFileName(folder).AsSpan(Prefix.Length);
        var dash = name.IndexOf('-');
        if (dash <= 0 || !int.TryParse(name[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return false;
        }

        if (pid == Environment.ProcessId)
        {
            return true;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static FileStreamOptions OwnerOnly(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    private static string SafeName(string expression)
    {
        var builder = new StringBuilder(Math.Min(expression.Length, 80));
        foreach (var c in expression)
        {
            if (builder.Length == 80)
            {
                break;
            }

            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_');
        }

        return builder.ToString();
    }
}
