using System.Runtime.CompilerServices;
using MemoryAssertions.Adapters;
using MemoryAssertions.Series;

namespace MemoryAssertions;

/// <summary>
/// Leak checks for tests. <see cref="NoLeak"/> runs the code many times with a full GC between calls, fits the growth of
/// the live heap, confirms real growth with heap snapshots diffed by type, and throws <see cref="MemoryLeakException"/>
/// naming the leaking type and the GC root that holds it.
/// </summary>
/// <remarks>
/// Measurement is process-wide: checks in one process run one at a time (a second waits for the first), and bytes that
/// other threads retain are told apart from a leak by the heap diff. See the README's "Threads and parallel tests".
/// </remarks>
public static partial class MemAssert
{
    /// <summary>
    /// Fails with <see cref="MemoryLeakException"/> when <paramref name="action"/> leaks; otherwise returns the report.
    /// </summary>
    /// <param name="action">The code to check. It runs <see cref="LeakOptions.Warmup"/> + up to <see cref="LeakOptions.MaxIterations"/> times.</param>
    /// <param name="options">How to measure; <see cref="LeakOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Observed between iterations.</param>
    /// <param name="expression">Filled in by the compiler with the code at the call site; quoted in the report.</param>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range; the message gives the range.</exception>
    /// <exception cref="MemoryLeakException">The code leaks.</exception>
    public static LeakReport NoLeak(
        Action action,
        LeakOptions? options = null,
        CancellationToken cancellationToken = default,
        [CallerArgumentExpression(nameof(action))] string? expression = null) =>
        ThrowIfLeak(Measure(action, options, cancellationToken, expression));

    /// <summary>The asynchronous form of <see cref="NoLeak"/>: each iteration awaits <paramref name="action"/>.</summary>
    /// <inheritdoc cref="NoLeak" path="/param"/>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range; the message gives the range.</exception>
    /// <exception cref="MemoryLeakException">The code leaks.</exception>
    public static async Task<LeakReport> NoLeakAsync(
        Func<Task> action,
        LeakOptions? options = null,
        CancellationToken cancellationToken = default,
        [CallerArgumentExpression(nameof(action))] string? expression = null) =>
        ThrowIfLeak(await MeasureAsync(action, options, cancellationToken, expression).ConfigureAwait(false));

    /// <summary>Runs the same analysis as <see cref="NoLeak"/> and returns the report; never throws for a leak.</summary>
    /// <inheritdoc cref="NoLeak" path="/param"/>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range; the message gives the range.</exception>
    public static LeakReport Measure(
        Action action,
        LeakOptions? options = null,
        CancellationToken cancellationToken = default,
        [CallerArgumentExpression(nameof(action))] string? expression = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        var run = new LeakRun(options ?? LeakOptions.Default, expression);
        var report = run.RunSync(action, cancellationToken);
        ReportAttachments.Publish(report);
        return report;
    }

    /// <summary>The asynchronous form of <see cref="Measure"/>; never throws for a leak.</summary>
    /// <inheritdoc cref="NoLeak" path="/param"/>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range; the message gives the range.</exception>
    public static Task<LeakReport> MeasureAsync(
        Func<Task> action,
        LeakOptions? options = null,
        CancellationToken cancellationToken = default,
        [CallerArgumentExpression(nameof(action))] string? expression = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        var run = new LeakRun(options ?? LeakOptions.Default, expression);
        return Published(run.RunAsync(action, cancellationToken));
    }

    private static async Task<LeakReport> Published(Task<LeakReport> pending)
    {
        var report = await pending.ConfigureAwait(false);
        ReportAttachments.Publish(report);
        return report;
    }

    private static LeakReport ThrowIfLeak(LeakReport report) =>
        report.IsLeak ? throw new MemoryLeakException(report) : report;
}
