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
/// Points TMPDIR (which Path.GetTempPath reads on Unix) at a fresh folder for the duration of a test, so that what the
/// engine leaves in the temp folder can be seen without other processes' files. Tests using it run alone (Heap
/// collection).
/// </summary>
internal sealed class ScopedTempFolder : IDisposable
{
    private readonly string? _previous;

    public ScopedTempFolder()
    {
        _previous = Environment.GetEnvironmentVariable("TMPDIR");
        Root = Path.Combine(Path.GetTempPath(), "memassert-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Environment.SetEnvironmentVariable("TMPDIR", Root + Path.DirectorySeparatorChar);
        Assert.StartsWith(Root, Path.GetTempPath(), StringComparison.Ordinal);
    }

    public string Root { get; }

    public IReadOnlyList<string> Entries() => Directory.GetFileSystemEntries(Root, "*", SearchOption.AllDirectories);

    public IReadOnlyList<string> FilesOver(long bytes) =>
        Directory.GetFiles(Root, "*", SearchOption.AllDirectories).Where(f => new FileInfo(f).Length > bytes).ToArray();

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("TMPDIR", _previous);
        Directory.Delete(Root, recursive: true);
    }
}
