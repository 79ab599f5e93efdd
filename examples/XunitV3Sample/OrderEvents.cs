namespace XunitV3Sample;

/// <summary>A tiny publish/subscribe hub: the code under test.</summary>
public sealed class OrderEvents
{
    private readonly List<Action<string>> _handlers = [];

    public IDisposable Subscribe(Action<string> handler)
    {
        lock (_handlers)
        {
            _handlers.Add(handler);
        }

        return new Subscription(this, handler);
    }

    public void Publish(string message)
    {
        Action<string>[] handlers;
        lock (_handlers)
        {
            handlers = [.. _handlers];
        }

        foreach (var handler in handlers)
        {
            handler(message);
        }
    }

    public async Task PublishAsync(string message)
    {
        await Task.Yield();
        Publish(message);
    }

    private sealed class Subscription(OrderEvents events, Action<string> handler) : IDisposable
    {
        // Forget this line and [NoGrowth] fails, naming Action<String> and the path from OrderEvents._handlers.
        public void Dispose()
        {
            lock (events._handlers)
            {
                events._handlers.Remove(handler);
            }
        }
    }
}
