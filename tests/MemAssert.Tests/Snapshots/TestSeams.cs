using MemoryAssertions.RuntimeInternals;
using MemoryAssertions.Snapshots;

namespace MemoryAssertions.Tests.Snapshots;

/// <summary>Sets the engine's DAC path for a test (a path that does not exist makes snapshots unavailable).</summary>
internal static class ClrRuntimeFactoryTestSeam
{
    public static string? DacPath
    {
        get => ClrRuntimeFactory.DacPathOverride;
        set => ClrRuntimeFactory.DacPathOverride = value;
    }
}

/// <summary>
/// Watches the temp folder during a test: what this process leaves there (folders named
/// <c>memassert-&lt;pid&gt;-…</c>) and new files over a size anywhere at the top level. TMPDIR itself cannot be moved
/// for a test: the runtime's diagnostics socket, which the dump route talks to, lives there.
/// </summary>
internal sealed class TempFolderWatch
{
    private readonly HashSet<string> _before = new(Directory.GetFileSystemEntries(Path.GetTempPath()), StringComparer.Ordinal);

    /// <summary>Fails when this process left a folder or a new file over 1 MB in the temp folder.</summary>
    public void AssertNothingLeftBehind()
    {
        Assert.Empty(OurEntries());
        Assert.Empty(NewFilesOver(1024 * 1024));
    }

    public IReadOnlyList<string> OurEntries() =>
        Directory.GetDirectories(Path.GetTempPath(), PrivateTempDirectory.Prefix + "*");

    public IReadOnlyList<string> NewFilesOver(long bytes) =>
        Directory.GetFiles(Path.GetTempPath())
            .Where(f => !_before.Contains(f))
            .Where(f =>
            {
                try
                {
                    return new FileInfo(f).Length > bytes;
                }
                catch (IOException)
                {
                    return false;
                }
            })
            .ToArray();
}
