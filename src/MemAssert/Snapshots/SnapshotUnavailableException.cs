namespace MemoryAssertions;

/// <summary>
/// A heap snapshot of the current process cannot be taken here: the platform, a missing runtime component
/// (the DAC, createdump) or a permission stands in the way. <see cref="Exception.Message"/> says which.
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
}
