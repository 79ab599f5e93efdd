using System.Globalization;
using MemoryAssertions.Adapters;

namespace MemoryAssertions.Tests.Reporting;

/// <summary>The lifetime of the report folders every adapter attaches files from.</summary>
public class ReportFilesTests
{
    private const int DeadPid = int.MaxValue - 7;

    [Fact]
    public void Folders_of_exited_processes_are_deleted_after_the_grace_period_and_kept_before_it()
    {
        var old = MakeFolder(DeadPid, exitedAgo: TimeSpan.FromMinutes(10), lastWriteAgo: TimeSpan.FromMinutes(10));
        var recent = MakeFolder(DeadPid, exitedAgo: TimeSpan.FromSeconds(30), lastWriteAgo: TimeSpan.FromMinutes(10));
        try
        {
            ReportFiles.DeleteStaleFolders();

            Assert.False(Directory.Exists(old), "exited 10 minutes ago");
            Assert.True(Directory.Exists(recent), "exited 30 s ago: a runner may still be copying");
        }
        finally
        {
            Cleanup(old, recent);
        }
    }

    [Fact]
    public void Folders_without_a_marker_are_deleted_only_when_their_process_is_gone_and_they_are_old()
    {
        var crashedLongAgo = MakeFolder(DeadPid, exitedAgo: null, lastWriteAgo: TimeSpan.FromHours(2));
        var crashedRecently = MakeFolder(DeadPid, exitedAgo: null, lastWriteAgo: TimeSpan.FromMinutes(5));
        var running = MakeFolder(Environment.ProcessId, exitedAgo: null, lastWriteAgo: TimeSpan.FromHours(2));
        try
        {
            ReportFiles.DeleteStaleFolders();

            Assert.False(Directory.Exists(crashedLongAgo));
            Assert.True(Directory.Exists(crashedRecently));
            Assert.True(Directory.Exists(running), "its process is still running");
        }
        finally
        {
            Cleanup(crashedLongAgo, crashedRecently, running);
        }
    }

    private static string MakeFolder(int pid, TimeSpan? exitedAgo, TimeSpan lastWriteAgo)
    {
        var path = Path.Combine(
            Path.GetTempPath(),
            string.Create(CultureInfo.InvariantCulture, $"memassert-reports-{pid}-{Guid.NewGuid():N}")[..48]);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "0001-x.memassert.txt"), "report");
        if (exitedAgo is { } ago)
        {
            var marker = Path.Combine(path, ".exited");
            File.WriteAllText(marker, "");
            File.SetLastWriteTimeUtc(marker, DateTime.UtcNow - ago);
        }

        Directory.SetLastWriteTimeUtc(path, DateTime.UtcNow - lastWriteAgo);
        return path;
    }

    private static void Cleanup(params string[] folders)
    {
        foreach (var folder in folders.Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
