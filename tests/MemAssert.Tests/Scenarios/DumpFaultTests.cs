using MemoryAssertions.Tests.Snapshots;
using MemoryAssertions.TestTargets;
using Xunit.Abstractions;

namespace MemoryAssertions.Tests.Scenarios;

/// <summary>
/// The dump route's faults that need a process of their own (issue 11): killed while reading its dump, a temp folder
/// that is read-only or missing, every kept dump of two confirmations. Each child process runs two minutes at most.
/// </summary>
[Collection(HeapCollection.Name)]
public sealed class DumpFaultTests(ITestOutputHelper output)
{
    /// <summary>Exit code of a process killed by SIGKILL, as .NET reports it.</summary>
    private const int KilledExitCode = 128 + 9;

    [Fact]
    public void A_process_killed_while_reading_its_dump_leaves_no_dump_and_the_next_dump_sweeps_its_folder()
    {
        // A temp folder of this test's own: any MemAssert process of this user sweeps dead pids' folders in the shared
        // one (the test host of the other target framework runs beside this one), which is the behaviour under test.
        var temp = Directory.CreateTempSubdirectory("memassert-test-killed-").FullName;
        try
        {
            var printed = TargetProgram.Run("LeakTargets", ["dump-killed-while-reading", "Dump"], TimeSpan.FromMinutes(2), start => start.Environment["TMPDIR"] = temp, exitCode: KilledExitCode);
            var folder = printed.Split('\n').Single(line => line.StartsWith("READING ", StringComparison.Ordinal))["READING ".Length..].Trim();
            Assert.Equal(Path.GetFullPath(temp), Path.GetDirectoryName(Path.GetFullPath(folder)));

            // What the killed process left: its private folder, but not the heap (an open file stays readable after unlink).
            Assert.True(Directory.Exists(folder), folder);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Empty(Directory.GetFileSystemEntries(folder));
            }

            // The next dump, in any process of the same user, removes the folder of the dead pid before it writes.
            var next = RunWithTemp("static-list", temp, readOnly: false);
            Assert.True(next.Outcome == CheckOutcome.Leak, next.Text);
            Assert.Equal(OperatingSystem.IsLinux(), !Directory.Exists(folder));
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_read_only_temp_folder_makes_snapshots_unavailable_and_the_live_bytes_verdict_stands()
    {
        var temp = Directory.CreateTempSubdirectory("memassert-test-ro-").FullName;
        try
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            var result = RunWithTemp("static-list", temp, readOnly: true);
            Assert.True(result.Outcome == CheckOutcome.LeakUnconfirmed, result.Text);
            Assert.Contains(temp, result.SnapshotsUnavailableReason, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(temp));
        }
        finally
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.Delete(temp, recursive: true);
        }
    }

    [Fact]
    public void A_missing_temp_folder_makes_snapshots_unavailable_and_is_not_created()
    {
        var parent = Directory.CreateTempSubdirectory("memassert-test-missing-").FullName;
        var missing = Path.Combine(parent, "tmp");
        try
        {
            var result = RunWithTemp("static-list", missing, readOnly: false);
            Assert.True(result.Outcome == CheckOutcome.LeakUnconfirmed, result.Text);
            Assert.Contains(missing, result.SnapshotsUnavailableReason, StringComparison.Ordinal);
            Assert.False(Directory.Exists(missing), "MemAssert created the missing temp folder");
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public void Every_dump_kept_by_two_confirmations_is_listed_in_the_report()
    {
        var printed = TargetProgram.Run("LeakTargets", ["kept-twice", "Dump"], TimeSpan.FromMinutes(2));
        var result = TargetProcess.Parse(printed).Single();
        output.WriteLine(result.Text);

        // The sparse leak (fewer objects than calls) is what asks for the second confirmation; the leak is then followed
        // for more calls, and one dump more tells it from a bounded cache.
        Assert.Equal(2, result.Confirmations);
        Assert.True(result.FollowCalls > 0, result.Text);
        Assert.Equal(9, result.SnapshotsTaken);
        Assert.Equal(9, result.KeptFiles!.Length);
        Assert.Equal(9, result.KeptFiles.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("FILES 9", printed, StringComparison.Ordinal);
        Assert.All(result.KeptFiles, file => Assert.Contains("Kept snapshot: " + file, result.Text, StringComparison.Ordinal));
        Assert.Equal(0, result.SnapshotsNotKept);
    }

    /// <summary>
    /// Runs a scenario on the dump route with <paramref name="temp"/> as its temp folder (TMPDIR). A read-only folder
    /// stops root only without the capability to override file permissions, so a root test run drops it for the child.
    /// </summary>
    private TargetResult RunWithTemp(string scenario, string temp, bool readOnly)
    {
        var dropOverride = readOnly && CanWriteIn(temp);
        var result = Assert.Single(TargetProcess.Run(scenario, SnapshotRoute.Dump, prepare: start =>
        {
            start.Environment["TMPDIR"] = temp;
            if (dropOverride)
            {
                start.ArgumentList.Insert(0, start.FileName);
                start.ArgumentList.Insert(0, "--bounding-set=-dac_override,-dac_read_search,-fowner");
                start.FileName = "setpriv";
            }
        }));
        output.WriteLine(result.Text);
        return result;
    }

    private static bool CanWriteIn(string folder)
    {
        var probe = Path.Combine(folder, "probe");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
