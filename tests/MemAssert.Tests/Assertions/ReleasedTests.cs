namespace MemoryAssertions.Tests.Assertions;

/// <summary>
/// <see cref="MemAssert.Released(Func{object}, LeakOptions?, string?)"/> with real objects, in this (Debug) test
/// project: the test's own locals never keep the object alive, and the path shown is that object's, not its type's.
/// </summary>
public sealed class ReleasedTests
{
    [Fact]
    public void A_view_model_kept_by_an_event_subscription_is_not_released_and_the_path_runs_through_the_event()
    {
        var hub = new EventHub();
        Hubs.Kept = hub;
        try
        {
            var ex = Assert.Throws<MemoryLeakException>(() => MemAssert.Released(() => new ViewModel(hub)));

            Assert.StartsWith($"The {typeof(ViewModel).FullName} made by `() => new ViewModel(hub)` is still alive after a full collection.", ex.Message, StringComparison.Ordinal);
            Assert.Contains($"static field {typeof(Hubs).FullName}.Kept", ex.Message, StringComparison.Ordinal);
            Assert.Contains(".Changed", ex.Message, StringComparison.Ordinal);
            Assert.Contains("._target " + typeof(ViewModel).FullName, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Hubs.Kept = null;
        }
    }

    [Fact]
    public void A_view_model_that_unsubscribes_is_released()
    {
        var hub = new EventHub();
        Hubs.Kept = hub;
        try
        {
            var report = MemAssert.Released(() =>
            {
                var model = new ViewModel(hub);
                model.Dispose();
                return model;
            });

            Assert.True(report.IsReleased);
            Assert.Null(report.RetentionPath);
            Assert.Contains("was released", report.Text, StringComparison.Ordinal);
        }
        finally
        {
            Hubs.Kept = null;
        }
    }

    [Fact]
    public void The_path_shown_is_that_objects_even_when_other_instances_of_its_type_are_held_elsewhere()
    {
        Holders.First.AddRange([new Session(), new Session(), new Session()]);
        try
        {
            var ex = Assert.Throws<MemoryLeakException>(() => MemAssert.Released(() =>
            {
                var session = new Session();
                Holders.Second = session;
                return session;
            }));

            Assert.Contains($"static field {typeof(Holders).FullName}.Second", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(".First", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Holders.First.Clear();
            Holders.Second = null;
        }
    }

    [Fact]
    public async Task The_async_form_awaits_the_object_and_judges_it_the_same_way()
    {
        var released = await MemAssert.ReleasedAsync(async () =>
        {
            await Task.Yield();
            return new Session();
        });
        Assert.True(released.IsReleased);

        try
        {
            await Assert.ThrowsAsync<MemoryLeakException>(() => MemAssert.ReleasedAsync(async () =>
            {
                await Task.Yield();
                Holders.Second = new Session();
                return Holders.Second;
            }));
        }
        finally
        {
            Holders.Second = null;
        }
    }

    [Fact]
    public void An_object_held_only_by_another_threads_stack_is_found_on_the_dump_route()
    {
        using var holder = new HeldOnAnotherThread<Session>(() => new Session());

        var ex = Assert.Throws<MemoryLeakException>(() => MemAssert.Released(() => holder.TakeOnce()!));

        Assert.Contains("local on the stack of thread ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dump route", ex.Message, StringComparison.Ordinal);
    }

    private sealed class EventHub
    {
        public event EventHandler? Changed;

        public void Raise() => Changed?.Invoke(this, EventArgs.Empty);
    }

    private static class Hubs
    {
        public static EventHub? Kept;
    }

    private sealed class ViewModel : IDisposable
    {
        private readonly EventHub _hub;

        public ViewModel(EventHub hub)
        {
            _hub = hub;
            _hub.Changed += OnChanged;
        }

        public void Dispose() => _hub.Changed -= OnChanged;

        private void OnChanged(object? sender, EventArgs e)
        {
        }
    }

    private sealed class Session;

    private static class Holders
    {
        public static readonly List<Session> First = [];
        public static Session? Second;
    }
}
