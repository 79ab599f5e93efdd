namespace MemoryAssertions.Snapshots;

/// <summary>The live route: ClrMD reads this process's own memory while the GC is held still. (Issue 5.)</summary>
internal static class LiveRoute
{
    public const string Name = "live";

    public static bool IsSupported => false;

    public static HeapGraph Capture(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        throw new SnapshotUnavailableException("the live route is not available on this platform yet.");
    }
}
