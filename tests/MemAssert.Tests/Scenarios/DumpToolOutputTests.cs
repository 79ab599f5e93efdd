using MemoryAssertions.TestTargets;
using Xunit.Abstractions;

namespace MemoryAssertions.Tests.Scenarios;

/// <summary>
/// createdump's status lines stay out of the process's stdout unless asked for (issue 13), and the process's own output
/// still arrives. Each check runs a leak on the dump route in a child process of its own and reads everything it printed.
/// </summary>
[Collection(HeapCollection.Name)]
public sealed class DumpToolOutputTests(ITestOutputHelper output)
{
    [Fact]
    public void The_dump_route_prints_no_createdump_lines_by_default()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // stdout is filtered on Linux and macOS only
        }

        var printed = TargetProgram.Run("LeakTargets", ["static-list", "Dump"], TimeSpan.FromMinutes(2), start => start.Environment.Remove("MEMASSERT_DUMP_TOOL_OUTPUT"));
        var result = TargetProcess.Parse(printed).Single();
        output.WriteLine(printed);

        Assert.True(result.IsLeak, result.Text);
        Assert.True(result.SnapshotsTaken >= 4, result.Text); // dumps were written
        Assert.DoesNotContain("[createdump]", printed, StringComparison.Ordinal);
    }

    [Fact]
    public void The_createdump_lines_are_printed_when_asked_for()
    {
        var printed = TargetProgram.Run("LeakTargets", ["static-list", "Dump"], TimeSpan.FromMinutes(2), start => start.Environment["MEMASSERT_DUMP_TOOL_OUTPUT"] = "1");
        var result = TargetProcess.Parse(printed).Single();

        Assert.True(result.IsLeak, result.Text);
        Assert.Contains("[createdump]", printed, StringComparison.Ordinal);
    }
}
