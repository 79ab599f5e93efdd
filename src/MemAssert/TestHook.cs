namespace MemoryAssertions;

/// <summary>
/// A value that a test sets for its own async flow only (threads and tasks it starts inherit it); every other flow,
/// such as a parallel test's, sees the default. Production code reads it and never sets it.
/// </summary>
internal sealed class TestHook<T>
{
    private readonly AsyncLocal<T?> _value = new();

    public T? Value
    {
        get => _value.Value;
        set => _value.Value = value;
    }
}
