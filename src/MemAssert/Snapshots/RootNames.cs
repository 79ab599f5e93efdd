namespace MemoryAssertions.Snapshots;

/// <summary>
/// The one vocabulary for GC roots, used in every snapshot, report and path: <c>static field NS.Type.Field</c>,
/// <c>thread-static field NS.Type.Field (thread 7)</c>, <c>local on the stack of thread 7</c>,
/// <c>GC handle (strong)</c>, <c>GC handle (pinned)</c>, <c>finalizer queue</c>; a dependent handle is a step
/// <c>(via GC handle (dependent))</c> from its primary object, not a root. A root's name never holds a value.
/// </summary>
internal static class RootNames
{
    public static HeapRoot StaticField(string declaringType, string field) => new(RootKind.StaticField, $"static field {declaringType}.{field}");

    /// <param name="qualifiedField">The declaring type's full name, a dot, and the field's name.</param>
    public static HeapRoot StaticField(string qualifiedField) => new(RootKind.StaticField, $"static field {qualifiedField}");

    public static HeapRoot ThreadStaticField(string qualifiedField, int? managedThreadId) =>
        new(RootKind.ThreadStaticField, managedThreadId is { } id ? $"thread-static field {qualifiedField} (thread {id})" : $"thread-static field {qualifiedField}");

    public static HeapRoot StackLocal(int? managedThreadId) =>
        new(RootKind.StackLocal, managedThreadId is { } id ? $"local on the stack of thread {id}" : "local on the stack of a thread");

    /// <param name="kind"><c>strong</c> or <c>pinned</c>.</param>
    public static HeapRoot Handle(string kind) => new(RootKind.GCHandle, $"GC handle ({kind})");

    public static HeapRoot FinalizerQueue { get; } = new(RootKind.FinalizerQueue, "finalizer queue");

    public static HeapRoot Other(string kind) => new(RootKind.Other, $"{kind} root");
}
