using MemoryAssertions;
using MemoryAssertions.XunitV3;
using Xunit;

namespace MemAssert.XunitV3.Tests;

public class NoGrowthOptionsTests
{
    [Fact]
    public void The_defaults_are_the_core_defaults()
    {
        var options = new NoGrowthAttribute().ToLeakOptions();

        Assert.Equal(LeakOptions.Default.Iterations, options.Iterations);
        Assert.Equal(LeakOptions.Default.Warmup, options.Warmup);
        Assert.Equal(LeakOptions.Default.MaxGrowthPerIteration, options.MaxGrowthPerIteration);
        Assert.Empty(options.Ignore);
        Assert.Null(options.KeepSnapshotsIn);
    }

    [Fact]
    public void Every_property_reaches_the_options()
    {
        var options = new NoGrowthAttribute { Iterations = 40, Warmup = 5, MaxGrowthPerIteration = 64, Ignore = ["MyApp.Cache*"], KeepSnapshotsIn = "dumps" }.ToLeakOptions();

        Assert.Equal(40, options.Iterations);
        Assert.Equal(5, options.Warmup);
        Assert.Equal(64, options.MaxGrowthPerIteration);
        Assert.Equal(["MyApp.Cache*"], options.Ignore);
        Assert.Equal("dumps", options.KeepSnapshotsIn);
    }

    [Fact]
    public void It_opts_out_of_parallelization() => Assert.True(new NoGrowthAttribute().DisableParallelization);
}
