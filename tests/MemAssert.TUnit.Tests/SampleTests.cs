using MemoryAssertions.TestTargets;

namespace MemAssert.TUnit.Tests;

/// <summary>examples/TUnitSample, as a user would run it (dotnet run): every test passes.</summary>
public sealed class SampleTests
{
    [Fact]
    public void The_sample_s_tests_pass()
    {
        var output = TargetProgram.Run(SamplePath(), [], TimeSpan.FromMinutes(3));

        Assert.Matches(@"total: +4\b", output);
        Assert.Matches(@"succeeded: +4\b", output);
        Assert.Matches(@"failed: +0\b", output);
    }

    // Built by this project's reference to it, into the examples' own artifacts folder, same configuration.
    private static string SamplePath()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "MemAssert.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        return Path.Combine(root.FullName, "examples", "artifacts", "bin", "TUnitSample", configuration, "TUnitSample.dll");
    }
}
