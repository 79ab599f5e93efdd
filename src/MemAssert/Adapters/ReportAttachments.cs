using System.Diagnostics.CodeAnalysis;

namespace MemoryAssertions.Adapters;

/// <summary>A file to attach to the current test's result: its path, what it is, and its media type.</summary>
internal readonly record struct ReportAttachment(string Path, string Description, string MediaType);

/// <summary>
/// Attaches every check's report to the result of the test it ran in. An adapter registers how its framework attaches
/// a file, from a module initializer; then every check in that process (a <c>[NoGrowth]</c> test, or
/// <see cref="MemAssert.NoLeak(Action, LeakOptions?, CancellationToken, string?)"/> called in any test) publishes its
/// files when it ends: the report text and the live-bytes plot when it found a leak (or when the test asked for them
/// on a pass too), and the snapshots kept at the user's request.
/// </summary>
internal static class ReportAttachments
{
    private static readonly object Sync = new();
    private static readonly AsyncLocal<bool> s_attachOnPass = new();
    private static Action<ReportAttachment>[] s_hooks = [];

    /// <summary>For the flow of one test: attach the report of a check that passed too.</summary>
    public static bool AttachOnPass { get => s_attachOnPass.Value; set => s_attachOnPass.Value = value; }

    /// <summary>Adds how a framework attaches a file to the current test (called once per adapter, from its module initializer).</summary>
    public static void Register(Action<ReportAttachment> attach)
    {
        ArgumentNullException.ThrowIfNull(attach);
        lock (Sync)
        {
            s_hooks = [.. s_hooks, attach];
        }
    }

    /// <summary>Writes and attaches the files of a check that has ended; nothing without a registered adapter.</summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Attaching is best effort: a check's outcome never depends on its framework's attachment API.")]
    internal static void Publish(LeakReport report)
    {
        var hooks = s_hooks;
        if (hooks.Length == 0 || !(report.IsLeak || AttachOnPass || report.KeptFiles.Count > 0))
        {
            return;
        }

        IReadOnlyList<(string Path, string Description)> files;
        try
        {
            files = ReportFiles.For(report, report.Expression, AttachOnPass);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return; // no temp folder to write in: the report is still the failure's message
        }

        foreach (var (path, description) in files)
        {
            var attachment = new ReportAttachment(path, description, MediaType(path));
            foreach (var hook in hooks)
            {
                try
                {
                    hook(attachment);
                }
                catch (Exception)
                {
                    // Outside a test (no current test context), or a runner that refuses the file: not attached.
                }
            }
        }
    }

    private static string MediaType(string path) => Path.GetExtension(path) switch
    {
        ".txt" => "text/plain",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}
