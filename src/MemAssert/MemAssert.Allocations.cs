using System.Runtime.CompilerServices;
using MemoryAssertions.Allocations;

namespace MemoryAssertions;

public static partial class MemAssert
{
    /// <summary>
    /// Fails with <see cref="AllocationLimitException"/> when <paramref name="action"/> allocates more than
    /// <paramref name="bytesPerCall"/> bytes per call (on the calling thread, averaged over
    /// <see cref="LeakOptions.Iterations"/> calls after <see cref="LeakOptions.Warmup"/>); otherwise returns the figures.
    /// </summary>
    /// <param name="action">The code to measure.</param>
    /// <param name="bytesPerCall">The most bytes a call may allocate (0 or more).</param>
    /// <param name="options">Warm-up and calls measured; <see cref="LeakOptions.Default"/> when null.</param>
    /// <param name="expression">Filled in by the compiler with the code at the call site; quoted in the report.</param>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytesPerCall"/> is negative, or an option is out of its range.</exception>
    /// <exception cref="AllocationLimitException">The code allocates more than the limit.</exception>
    public static AllocationReport AllocatesAtMost(
        Action action,
        long bytesPerCall,
        LeakOptions? options = null,
        [CallerArgumentExpression(nameof(action))] string? expression = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        var run = AllocationRun.MeasureAsync(
            () =>
            {
                action();
                return ValueTask.CompletedTask;
            },
            processWide: false,
            bytesPerCall,
            options ?? LeakOptions.Default,
            expression,
            CancellationToken.None);
        return ThrowIfOverLimit(run.GetAwaiter().GetResult());
    }

    /// <summary>
    /// The asynchronous form of <see cref="AllocatesAtMost(Action, long, LeakOptions?, string?)"/>. Its calls may run on
    /// any thread, so it counts the bytes the whole process allocated while they ran (other threads' included: an upper
    /// bound, which the report says).
    /// </summary>
    /// <param name="action">The code to measure; each call awaits its task.</param>
    /// <param name="bytesPerCall">The most bytes a call may allocate (0 or more).</param>
    /// <param name="options">Warm-up and calls measured; <see cref="LeakOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Observed between calls.</param>
    /// <param name="expression">Filled in by the compiler with the code at the call site; quoted in the report.</param>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytesPerCall"/> is negative, or an option is out of its range.</exception>
    /// <exception cref="AllocationLimitException">The code allocates more than the limit.</exception>
    public static async Task<AllocationReport> AllocatesAtMostAsync(
        Func<Task> action,
        long bytesPerCall,
        LeakOptions? options = null,
        CancellationToken cancellationToken = default,
        [CallerArgumentExpression(nameof(action))] string? expression = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        // Under the process-wide gate: the process's total would count another check's snapshots.
        var report = await CheckGate.RunAsync(
                () => AllocationRun.MeasureAsync(
                    () => new ValueTask(action() ?? throw new InvalidOperationException("The delegate returned a null Task.")),
                    processWide: true,
                    bytesPerCall,
                    options ?? LeakOptions.Default,
                    expression,
                    cancellationToken),
                cancellationToken)
            .ConfigureAwait(false);
        return ThrowIfOverLimit(report);
    }

    private static AllocationReport ThrowIfOverLimit(AllocationReport report) =>
        report.IsOverLimit ? throw new AllocationLimitException(report) : report;
}
