using System.Diagnostics;
using MemoryAssertions.RuntimeInternals;
using MemoryAssertions.Snapshots;
using LeakTargets;
using Microsoft.Diagnostics.Runtime;

namespace MemoryAssertions.Tests.Snapshots;

/// <summary>The dump route's file and its faults (issue 11): nothing of the heap on disk longer than needed, no symbol server, a failed read is a snapshot failure, an unwritable folder to keep dumps in is a note.</summary>
[Collection(HeapCollection.Name)]
public sealed class DumpRouteTests : IDisposable
{
    private readonly TempFolderWatch _temp = new();

    public void Dispose()
    {
        DumpRoute.WhileReading = null;
        Holders.Reset();
        _temp.AssertNothingLeftBehind();
    }

    [Fact]
    public void The_dump_file_is_unlinked_as_soon_as_ClrMD_has_it_open()
    {
        string[]? whileReading = null;
        DumpRoute.WhileReading = (_, folder) => whileReading = Directory.GetFileSystemEntries(folder);
        using var snapshot = HeapSnapshot.Take(SnapshotRoute.Dump);

        // Windows cannot delete an open file: there the dump is deleted after reading.
        Assert.Equal(OperatingSystem.IsWindows() ? 1 : 0, whileReading!.Length);
        Assert.True(snapshot.ObjectCount > 1_000, $"{snapshot.ObjectCount} objects read from the unlinked dump");
    }

    [Fact]
    public void A_dump_to_be_kept_is_not_unlinked_and_is_kept()
    {
        var keep = Path.Combine(Path.GetTempPath(), "memassert-keep-" + Guid.NewGuid().ToString("N"));
        try
        {
            string[]? whileReading = null;
            DumpRoute.WhileReading = (_, folder) => whileReading = Directory.GetFileSystemEntries(folder);
            using var snapshot = HeapSnapshot.Take(SnapshotRoute.Dump, keep);
            Assert.Single(whileReading!);
            Assert.True(File.Exists(snapshot.KeptFile));
            Assert.Null(snapshot.Note);
        }
        finally
        {
            Directory.Delete(keep, recursive: true);
        }
    }

    [Fact]
    public void The_dump_route_opens_its_dump_without_a_symbol_server()
    {
        IFileLocator? locator = null;
        DumpRoute.WhileReading = (target, _) => locator = target.FileLocator;
        using var snapshot = HeapSnapshot.Take(SnapshotRoute.Dump);
        Assert.Same(ClrRuntimeFactory.NoFiles.Instance, locator);
    }

    [Fact]
    public void A_failed_read_of_the_dump_is_a_snapshot_failure_with_the_reason_and_never_a_pass()
    {
        // The dump is cut short under ClrMD once it has it open (as a full disk or another process would): ClrMD then
        // cannot create the heap (InvalidDataException). Without /proc, a thrown exception stands in for it.
        DumpRoute.WhileReading = (_, _) => TruncateOpenDump();
        var ex = Assert.Throws<SnapshotUnavailableException>(() => HeapSnapshot.Take(SnapshotRoute.Dump));
        Assert.Contains("could not read the heap dump", ex.Message, StringComparison.Ordinal);

        var report = MemAssert.Measure(Leaks.StaticList, new LeakOptions { Iterations = 12, Snapshots = SnapshotRoute.Dump });
        Assert.True(report.Outcome == CheckOutcome.LeakUnconfirmed, report.Text);
        Assert.Equal(ex.Message, report.SnapshotsUnavailableReason);
    }

    private static void TruncateOpenDump()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new IOException("a read of the dump failed");
        }

        var open = Directory.GetFiles("/proc/self/fd").Single(fd => new FileInfo(fd).LinkTarget?.Contains("/heap.dmp", StringComparison.Ordinal) == true);
        using var handle = File.OpenHandle(open, FileMode.Open, FileAccess.Write);
        RandomAccess.SetLength(handle, 4096);
    }

    [Fact]
    public void An_unwritable_folder_to_keep_dumps_in_is_a_note_and_the_verdict_stands()
    {
        // A folder that cannot be created, for any user: its parent is a file.
        var file = Path.Combine(Path.GetTempPath(), "memassert-test-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(file, []);
        var keep = Path.Combine(file, "dumps");
        try
        {
            using (var snapshot = HeapSnapshot.Take(SnapshotRoute.Dump, keep))
            {
                Assert.Null(snapshot.KeptFile);
                Assert.Contains(keep, snapshot.Note, StringComparison.Ordinal);
            }

            var leak = ExpectLeak.From(() => MemAssert.NoLeak(Leaks.StaticList, new LeakOptions { Iterations = 12, KeepSnapshotsIn = keep }));
            var report = leak.Report!;
            Assert.Equal(CheckOutcome.Leak, report.Outcome);
            Assert.Equal(typeof(LeakedItem).FullName, report.Leaks[0].TypeName);
            Assert.Empty(report.KeptFiles);
            Assert.Equal(report.SnapshotsTaken, report.SnapshotsNotKept);
            Assert.Contains(keep, report.SnapshotsNotKeptReason, StringComparison.Ordinal);
            Assert.Contains("Snapshots not kept: ", report.Text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Before_a_dump_is_written_the_folders_of_dead_processes_are_swept_and_nothing_else()
    {
        var temp = Path.GetTempPath();
        using (var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
        {
            Assert.True(exited.WaitForExit(TimeSpan.FromSeconds(30)));
            var dead = exited.Id;
            var deadFolder = Folder($"memassert-{dead}-0123456789ab", withFile: true);
            var untouched = new[]
            {
                Folder("memassert-1-0123456789ab", withFile: true),                        // pid 1 runs
                Folder($"memassert-{dead}-0123456789AB", withFile: true),                  // not our pattern: upper case
                Folder($"memassert-{dead}-0123456789ab-x", withFile: true),               // not our pattern: a suffix
                Folder($"memassert-{dead}-keep", withFile: true),                          // not our pattern
            };
            var target = Folder("memassert-test-target-" + Guid.NewGuid().ToString("N")[..8], withFile: true);
            var link = Path.Combine(temp, $"memassert-{dead}-111111111111");
            Directory.CreateSymbolicLink(link, target);
            var othersFolder = Environment.UserName == "root" ? Folder($"memassert-{dead}-222222222222", withFile: true) : null;
            if (othersFolder is not null)
            {
                using var chown = Process.Start(new ProcessStartInfo("chown", ["-R", "65534", othersFolder]) { UseShellExecute = false })!;
                Assert.True(chown.WaitForExit(TimeSpan.FromSeconds(30)) && chown.ExitCode == 0);
            }

            try
            {
                using (HeapSnapshot.Take(SnapshotRoute.Dump))
                {
                }

                if (OperatingSystem.IsLinux())
                {
                    Assert.False(Directory.Exists(deadFolder), deadFolder);
                }

                Assert.All(untouched, folder => Assert.True(File.Exists(Path.Combine(folder, "heap.dmp")), folder));
                Assert.True(File.Exists(Path.Combine(target, "heap.dmp")));
                Assert.True(Directory.Exists(link));
                if (othersFolder is not null)
                {
                    Assert.True(File.Exists(Path.Combine(othersFolder, "heap.dmp")), "another user's folder was swept");
                }
            }
            finally
            {
                if (new DirectoryInfo(link).LinkTarget is not null)
                {
                    Directory.Delete(link);
                }

                foreach (var folder in untouched.Append(deadFolder).Append(othersFolder).Append(target))
                {
                    if (folder is not null && Directory.Exists(folder))
                    {
                        Directory.Delete(folder, recursive: true);
                    }
                }
            }
        }

        static string Folder(string name, bool withFile)
        {
            var path = Path.Combine(Path.GetTempPath(), name);
            Directory.CreateDirectory(path);
            if (withFile)
            {
                File.WriteAllBytes(Path.Combine(path, "heap.dmp"), [1, 2, 3]);
            }

            return path;
        }
    }
}
