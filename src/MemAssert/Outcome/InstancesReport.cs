namespace MemoryAssertions;

/// <summary>
/// What <see cref="MemAssert.NoInstances{T}(LeakOptions?)"/> found after a full collection: the live instances of the
/// type (derived types included), their bytes and how they are held. <see cref="ToString"/> is the report text.
/// </summary>
public sealed record InstancesReport
{
    internal InstancesReport()
    {
    }

    /// <summary>What was looked for: a type's name, or a pattern.</summary>
    public string What { get; internal init; } = "";

    /// <summary>Live instances found.</summary>
    public long Count { get; internal init; }

    /// <summary>Their bytes (each object's own).</summary>
    public long Bytes { get; internal init; }

    /// <summary>The route whose snapshot the answer comes from.</summary>
    public SnapshotRoute Route { get; internal init; }

    /// <summary>Whether that snapshot saw objects held only by a thread's stack (the dump route does; the live route does not).</summary>
    public bool StacksSeen => Route == SnapshotRoute.Dump;

    /// <summary>How the instances are held, the most shared path first, at most <see cref="LeakOptions.MaxRetentionPaths"/>.</summary>
    public IReadOnlyList<RetentionPath> RetentionPaths { get; internal init; } = [];

    /// <summary>Why the route is not the one first tried, or null.</summary>
    public string? Note { get; internal init; }

    /// <summary>The report, as a person reads it.</summary>
    public string Text => Reporting.InstancesText.Build(this);

    /// <inheritdoc/>
    public override string ToString() => Text;
}
