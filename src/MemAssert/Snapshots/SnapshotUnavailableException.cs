namespace MemoryAssertions;

/// <summary>
/// A heap snapshot of the current process cannot be taken here: the platform, a missing runtime component
/// (the DAC, createdump), a permission, a temp folder that is missing or read-only, or a dump that ClrMD could not read
/// stands in the way. <see cref="Exception.Message"/> says which.
/// <see cref="MemAssert"/> catches it and gives its verdict from live bytes alone; <see cref="HeapSnapshot.Take"/> throws it.
/// </summary>
public sealed class SnapshotUnavailableException : Exception
{
    /// <summary>Creates the exception with the reason snapshots are unavailable.</summary>
    public SnapshotUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the reason and the error behind it.</summary>
    public SnapshotUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public SnapshotUnavailableException()
        : base("Heap snapshots are unavailable in this process.")
    {
    }

    /// <summary>
    /// True when snapshots work here but this one could not be taken (the process was in the middle of a GC, or the heap
    /// could not be held still while other threads allocated): another try may succeed, and a check does not turn its
    /// live-bytes verdict into a failure on that account.
    /// </summary>
    internal bool IsTransient { get; private init; }

    internal static SnapshotUnavailableException Transient(string message) => new(message) { IsTransient = true };
}
