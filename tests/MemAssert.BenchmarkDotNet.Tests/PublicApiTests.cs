using MemoryAssertions.BenchmarkDotNet;
using PublicApiGenerator;

namespace MemAssert.BenchmarkDotNet.Tests;

/// <summary>The public API of the diagnoser package, pinned: a change shows up as a diff against Approved/MemAssert.BenchmarkDotNet.PublicApi.approved.txt.</summary>
public sealed class PublicApiTests
{
    [Fact]
    public void Public_api_is_approved()
    {
        var api = typeof(MemoryTrendDiagnoser).Assembly.GeneratePublicApi(new ApiGeneratorOptions { ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute"] })
            .ReplaceLineEndings("\n");
        var approved = Path.Combine(AppContext.BaseDirectory, "Approved", "MemAssert.BenchmarkDotNet.PublicApi.approved.txt");
        if (!File.Exists(approved) || File.ReadAllText(approved).ReplaceLineEndings("\n") != api)
        {
            var received = Path.Combine(SourceDirectory(), "Approved", "MemAssert.BenchmarkDotNet.PublicApi.received.txt");
            File.WriteAllText(received, api);
            Assert.Fail($"The public API changed; see {received}. Review it and rename it to .approved.txt to accept.");
        }
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
