using System.Text.Json;
using MemoryAssertions.TestTargets;

namespace MemoryAssertions.Tests.Assertions;

/// <summary>
/// <see cref="MemAssert.AllocatesAtMost(Action, long, LeakOptions?, string?)"/> against a delegate's real traffic: the
/// synchronous form counts the calling thread's bytes (exact, so it runs in the test host); the asynchronous form counts
/// the whole process's, so it runs in a child process of its own.
/// </summary>
public sealed class AllocationTests
{
    private static byte[]? s_sink;

    /// <summary>A 1,000-byte array: 1,024 bytes on a 64-bit heap.</summary>
    private static void AllocateKilobyte() => s_sink = new byte[1_000];

    [Fact]
    public void Code_that_allocates_less_than_its_limit_passes_with_its_exact_bytes_per_call()
    {
        var report = MemAssert.AllocatesAtMost(AllocateKilobyte, 1_100);

        Assert.Equal(1_024, report.BytesPerCall);
        Assert.Equal(LeakOptions.Default.Iterations, report.Calls);
        Assert.False(report.ProcessWide);
        Assert.Empty(report.TopTypes);
        Assert.Contains("`AllocateKilobyte` allocated ~1,024 B per call, within its limit of 1,100 B.", report.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Code_that_allocates_more_than_its_limit_fails_naming_the_bytes_the_limit_and_the_type_that_allocated()
    {
        var ex = Assert.Throws<AllocationLimitException>(() => MemAssert.AllocatesAtMost(AllocateKilobyte, 1_000));

        Assert.Equal(1_024, ex.Report!.BytesPerCall);
        Assert.StartsWith("`AllocateKilobyte` allocated ~1,024 B per call, more than its limit of 1,000 B.", ex.Message, StringComparison.Ordinal);
        Assert.Equal("System.Byte[]", ex.Report.TopTypes[0].TypeName);
        Assert.Contains("System.Byte[]: ~", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("at MemoryAssertions.", ex.StackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_limit_is_rejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => MemAssert.AllocatesAtMost(AllocateKilobyte, -1));
        Assert.Equal("limitPerCall", ex.ParamName);
    }

    [Fact]
    public void Async_code_is_measured_process_wide_and_limits_just_above_and_below_its_real_traffic_pass_and_fail()
    {
        var output = TargetProgram.Run("LeakTargets", ["allocations-async"], TimeSpan.FromMinutes(1));
        var lines = output.Split('\n');
        var real = double.Parse(lines.Single(l => l.StartsWith("REAL ", StringComparison.Ordinal))[5..], System.Globalization.CultureInfo.InvariantCulture);
        var checks = lines.Where(l => l.StartsWith("ALLOC ", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l[6..]).RootElement)
            .ToDictionary(e => e.GetProperty("name").GetString()!);

        Assert.InRange(real, 1_024, 2_048); // the array, and the await's state machine
        var above = checks["above"];
        Assert.True(above.GetProperty("passed").GetBoolean(), output);
        Assert.InRange(above.GetProperty("bytesPerCall").GetDouble(), real * 0.9, real * 1.1);
        Assert.Contains("whole process", above.GetProperty("message").GetString(), StringComparison.Ordinal);
        var below = checks["below"];
        Assert.False(below.GetProperty("passed").GetBoolean(), output);
        Assert.Contains("more than its limit", below.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("System.Byte[]", below.GetProperty("topType").GetString());
    }
}
