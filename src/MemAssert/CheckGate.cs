using System.Diagnostics;

namespace MemoryAssertions;

/// <summary>
/// The process-wide gate every MemAssert operation that collects, measures or snapshots the heap runs under: one at a
/// time per process, since each disturbs the others (a GC or a held-still heap in the middle of another's readings, two
/// no-GC regions at once). Parallel tests wait for each other here; code that is not MemAssert's still runs beside them.
/// </summary>
/// <remarks>
/// The flow that holds the gate (and the threads and tasks it starts, which inherit its execution context) runs further
/// gated operations at once, under its hold: a snapshot taken inside <c>NoInstances</c>, or by the code a check
/// measures. A <c>NoLeak</c> check is the exception (<see cref="ThrowIfNested"/>): one started inside another's measured
/// code would measure the outer check's own readings.
/// </remarks>
internal static class CheckGate
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>Set in the flow that holds the gate.</summary>
    private static readonly AsyncLocal<bool> Holding = new();

    /// <summary>How often an operation waiting for the gate looks at the check that holds it.</summary>
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The holder's current call, for operations waiting behind it: when the call began (a <see cref="Stopwatch"/>
    /// timestamp, 0 between calls), the holder's <see cref="LeakOptions.IterationTimeout"/> and its code. An operation
    /// started from inside a call on a thread that does not flow the execution context (<see cref="Thread.UnsafeStart()"/>)
    /// is not seen by <see cref="Holding"/>; it is seen waiting behind a call that does not return.
    /// </summary>
    private static long s_callStartedAt;

    private static TimeSpan s_holderTimeout = Timeout.InfiniteTimeSpan;

    private static string s_holderExpression = "code";

    /// <summary>Runs <paramref name="body"/> under the gate, waiting for it first unless this flow holds it already.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> ended the wait.</exception>
    /// <exception cref="InvalidOperationException">The holder has been stuck in one call past its timeout (<see cref="ThrowIfHolderStuck"/>).</exception>
    public static T Run<T>(Func<T> body, CancellationToken cancellationToken = default)
    {
        if (Holding.Value)
        {
            return body();
        }

        var waitingSince = Stopwatch.GetTimestamp();
        while (!Gate.Wait(Slice, cancellationToken))
        {
            ThrowIfHolderStuck(waitingSince);
        }

        try
        {
            Holding.Value = true;
            return body();
        }
        finally
        {
            Holding.Value = false;
            Volatile.Write(ref s_callStartedAt, 0);
            Gate.Release();
        }
    }

    /// <summary>The asynchronous form of <see cref="Run{T}"/>: the wait does not block a thread.</summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> body, CancellationToken cancellationToken = default)
    {
        if (Holding.Value)
        {
            return await body().ConfigureAwait(false);
        }

        var waitingSince = Stopwatch.GetTimestamp();
        while (!await Gate.WaitAsync(Slice, cancellationToken).ConfigureAwait(false))
        {
            ThrowIfHolderStuck(waitingSince);
        }

        try
        {
            Holding.Value = true;
            return await body().ConfigureAwait(false);
        }
        finally
        {
            Holding.Value = false;
            Volatile.Write(ref s_callStartedAt, 0);
            Gate.Release();
        }
    }

    /// <summary>Publishes, for operations waiting behind the holder, that one of its calls began.</summary>
    public static void BeginCall(TimeSpan timeout, string expression)
    {
        s_holderTimeout = timeout;
        s_holderExpression = expression;
        Volatile.Write(ref s_callStartedAt, Stopwatch.GetTimestamp());
    }

    /// <summary>Publishes that the holder's call ended; returns the <see cref="Stopwatch"/> ticks it took.</summary>
    public static long EndCall()
    {
        var took = Stopwatch.GetTimestamp() - Volatile.Read(ref s_callStartedAt);
        Volatile.Write(ref s_callStartedAt, 0);
        return took;
    }

    /// <summary>Throws when a <c>NoLeak</c> check is started in a flow that holds the gate: checks cannot be nested.</summary>
    public static void ThrowIfNested()
    {
        if (Holding.Value)
        {
            throw new InvalidOperationException(
                "A MemAssert check was started from inside the code another check is measuring. Checks cannot be nested: " +
                "the live heap is measured process-wide, so the inner check would wait for the outer one forever.");
        }
    }

    /// <summary>
    /// Fails an operation waiting for the gate when the holder has been inside one call, begun before this operation
    /// started to wait, for longer than the holder's own <see cref="LeakOptions.IterationTimeout"/> (and a slice more, so
    /// that an asynchronous holder times out first): that call is most likely waiting for this operation.
    /// </summary>
    private static void ThrowIfHolderStuck(long waitingSince)
    {
        var startedAt = Volatile.Read(ref s_callStartedAt);
        var timeout = s_holderTimeout;
        if (startedAt == 0 || startedAt > waitingSince || timeout == Timeout.InfiniteTimeSpan || Stopwatch.GetElapsedTime(startedAt) <= timeout + Slice)
        {
            return;
        }

        throw new InvalidOperationException(
            $"Another MemAssert check in this process has been inside one call of `{s_holderExpression}` for more than {timeout.TotalSeconds:0.###} s " +
            "(its LeakOptions.IterationTimeout) while this check waited to start. Checks run one at a time: if this check was started from " +
            "inside that call (on a thread that does not flow the execution context, such as one started with Thread.UnsafeStart), it " +
            "would wait for it forever, because checks cannot be nested. If that call is merely slow, raise its IterationTimeout.");
    }
}
