using MemoryAssertions.RuntimeInternals;
using System.Runtime.InteropServices;
using LeakTargets;
using MemoryAssertions.Tests.Snapshots;

namespace MemoryAssertions.Tests.Reporting;

/// <summary>What a failing check says, and what it must never say or leave behind.</summary>
[Collection(HeapCollection.Name)]
public sealed class MessageTests : IDisposable
{
    private static readonly LeakOptions Quick = new() { Iterations = 12 };

    private readonly TempFolderWatch _temp = new();

    public void Dispose()
    {
        Holders.Reset();
        _temp.AssertNothingLeftBehind();
    }

    [Fact]
    public void A_leaked_secret_string_never_appears_in_the_report_and_kept_snapshots_are_owner_only()
    {
        var secret = "s3cr3t-" + Guid.NewGuid().ToString("N");
        var count = 0;
        var keep = Path.Combine(Path.GetTempPath(), "memassert-keep-" + Guid.NewGuid().ToString("N"));
        try
        {
            var leak = ExpectLeak.From(() => MemAssert.NoLeak(() => Leaks.Secret(secret + (count++)), Quick with { KeepSnapshotsIn = keep }));
            Assert.Contains(typeof(SecretHolder).FullName!, leak.Message, StringComparison.Ordinal);
            Assert.Contains("System.String", leak.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cr3t", leak.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(secret[7..], leak.ToString(), StringComparison.Ordinal);

            // The dumps were kept where asked (and only there), owner-only, and every one of them listed in the report:
            // four per confirmation (a second confirmation keeps four more), and the one that followed the leak.
            var kept = leak.Report!.KeptFiles;
            Assert.True(leak.Report.FollowCalls > 0);
            Assert.Equal((4 * leak.Report.Confirmations) + 1, kept.Count);
            Assert.Equal(leak.Report.SnapshotsTaken, kept.Count);
            Assert.Equal(kept.Count, Directory.GetFiles(keep).Length);
            Assert.All(kept, file =>
            {
                Assert.Equal(keep, Path.GetDirectoryName(file));
                Assert.True(new FileInfo(file).Length > 1024 * 1024);
                if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
                }
            });
            Assert.Contains("Kept snapshot: " + kept[0], leak.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(keep))
            {
                Directory.Delete(keep, recursive: true);
            }
        }
    }

    [Fact]
    public void Nothing_over_1_MB_is_left_in_the_temp_folder_after_a_pass_and_a_throwing_delegate()
    {
        // After a leak: every leaking scenario and message test checks the temp folder when it ends (Dispose).
        var temp = new TempFolderWatch();
        MemAssert.NoLeak(Clean.GarbageOnly, Quick);
        Assert.Throws<InvalidOperationException>(() => MemAssert.NoLeak(() => throw new InvalidOperationException("boom"), Quick));

        // A delegate that throws during the heap confirmation, after the first snapshot was taken: 3 warm-up, 12
        // iterations, 12 more to see the growth twice, then the first snapshot.
        var calls = 0;
        Assert.Throws<InvalidOperationException>(() => MemAssert.NoLeak(
            () =>
            {
                Leaks.LargeObject();
                if (++calls > 3 + 12 + 12 + 2)
                {
                    throw new InvalidOperationException("late");
                }
            },
            Quick));
        Assert.Empty(temp.NewFilesOver(1024 * 1024));
        Assert.Empty(temp.OurEntries());
    }

    [Fact]
    public void Without_snapshots_the_verdict_comes_from_live_bytes_and_the_report_says_why()
    {
        var report = MemAssert.Measure(Leaks.LargeObject, Quick with { Snapshots = SnapshotRoute.None });
        Assert.True(report.IsLeak);
        Assert.Empty(report.Diff);
        Assert.Empty(report.RetentionPaths);
        Assert.Contains("No heap diff or retention paths: snapshots were turned off", report.Text, StringComparison.Ordinal);
        Assert.Contains("heap snapshots were not available to confirm it", report.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_data_access_component_is_reported_plainly_and_the_verdict_stands()
    {
        MemoryAssertions.Tests.Snapshots.ClrRuntimeFactoryTestSeam.DacPath = "/nonexistent/libmscordaccore.so";
        try
        {
            var report = MemAssert.Measure(Leaks.LargeObject, Quick with { Snapshots = SnapshotRoute.Dump });
            Assert.True(report.IsLeak);
            Assert.Contains("data access component", report.SnapshotsUnavailableReason, StringComparison.Ordinal);
            Assert.Contains("No heap diff or retention paths:", report.Text, StringComparison.Ordinal);
        }
        finally
        {
            MemoryAssertions.Tests.Snapshots.ClrRuntimeFactoryTestSeam.DacPath = null;
        }
    }

    [Fact]
    public void A_passing_report_says_so_and_carries_the_series()
    {
        var report = MemAssert.NoLeak(Clean.NoOp, Quick);
        Assert.False(report.IsLeak);
        // 12 iterations, or more when noise in the test host made the run look longer: up to MaxIterations (48), and up
        // to twice that when the run was restarted by a drop (49 seen once in a full run).
        Assert.InRange(report.Iterations, 12, 2 * Quick.EffectiveMaxIterations);
        Assert.Equal(report.Iterations + 1, report.LiveBytes.Count);
        Assert.StartsWith($"`Clean.NoOp` did not leak over {report.Iterations} iterations.", report.Text, StringComparison.Ordinal);
        Assert.False(report.IsLeak);
        if (report.Outcome == CheckOutcome.NoGrowth && report.JudgedFrom == 0)
        {
            Assert.Equal(0, report.GrowthPerIteration);
        }
    }
}
