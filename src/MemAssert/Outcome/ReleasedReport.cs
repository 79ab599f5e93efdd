namespace MemoryAssertions;

/// <summary>
/// What <see cref="MemAssert.Released(Func{object}, LeakOptions?, string?)"/> found: whether the object the code made
/// was collected, and when it was not, who holds that object. <see cref="ToString"/> is the report text.
/// </summary>
public sealed record ReleasedReport
{
    internal ReleasedReport()
    {
    }

    /// <summary>The code that made the object, as written at the call site.</summary>
    public string Expression { get; internal init; } = "create";

    /// <summary>The object's type.</summary>
    public string TypeName { get; internal init; } = "";

    /// <summary>Whether a full collection freed it.</summary>
    public bool IsReleased { get; internal init; }

    /// <summary>When it was not released: the retention path of that object (not of its type), or null when no snapshot could find it.</summary>
    public RetentionPath? RetentionPath { get; internal init; }

    /// <summary>The route whose snapshot found the path, or null.</summary>
    public SnapshotRoute? Route { get; internal init; }

    /// <summary>Why there is no path, or which route was asked after which, or null.</summary>
    public string? Note { get; internal init; }

    /// <summary>The report, as a person reads it.</summary>
    public string Text => Reporting.ReleasedText.Build(this);

    /// <inheritdoc/>
    public override string ToString() => Text;
}
