using MemoryAssertions.XunitV3;
using Xunit;

namespace XunitV3Sample;

public class OrderEventsTests
{
    // The constructor runs once per test; the [NoGrowth] method body runs warm-up + N times on this one instance.
    private readonly OrderEvents _events = new();

    [NoGrowth]
    public void Subscribing_and_disposing_leaves_nothing_behind()
    {
        using var subscription = _events.Subscribe(message => _ = message.Length);
        _events.Publish("order placed");
    }

    [NoGrowth(Iterations = 10)]
    public async Task Publishing_asynchronously_leaves_nothing_behind()
    {
        using var subscription = _events.Subscribe(message => _ = message.Length);
        await _events.PublishAsync("order shipped");
        await Task.Delay(1, TestContext.Current.CancellationToken);
    }
}
