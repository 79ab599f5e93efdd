using System.Runtime.InteropServices;
using System.Text;

namespace MemoryAssertions.NUnit;

/// <summary>
/// Report files to attach to test results. They live in one private folder per test process (mode 0700, files 0600)
/// and are deleted when the process exits: runners read attachments after the test has finished (the VSTest TRX
/// logger copies them when the result arrives, NUnit's console writes their paths into its result file), so a file
/// deleted at the end of the test would leave a dangling attachment. Reports hold type names, counts and sizes only.
/// </summary>
internal static class ReportFiles
{
    private static readonly object Sync = new();
    private static string? _folder;
    private static int _counter;

    /// <summary>The report file (written now) and any snapshot files the user asked to keep, with descriptions.</summary>
    public static IEnumerable<(string Path, string Description)> For(LeakReport report, string expression)
    {
        yield return (Write(report, expression), report.IsLeak ? "MemAssert leak report" : "MemAssert report (no leak)");
        foreach (var kept in report.KeptFiles)
        {
            yield return (kept, "MemAssert heap snapshot (kept at your request)");
        }
    }

    private static string Write(LeakReport report, string expression)
    {
        string file;
        lock (Sync)
        {
            _folder ??= CreateFolder();
            _counter++;
            file = Path.Combine(_folder, $"{_counter:D4}-{SafeName(expression)}.memassert.txt");
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(file, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options))
        {
            writer.Write(report.Text);
        }

        return file;
    }

    private static string CreateFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "memassert-reports-" + Guid.NewGuid().ToString("N")[..12]);
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => Delete(path);
        return path;
    }

    private static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort at exit: a file still open elsewhere stays in the private folder.
        }
        catch (UnauthorizedAccessException)
        {
        }
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
