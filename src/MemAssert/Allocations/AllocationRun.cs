using System.Diagnostics;

namespace MemoryAssertions.Allocations;

/// <summary>
/// Measures a delegate's allocation traffic per call: <see cref="LeakOptions.Warmup"/> calls, then
/// <see cref="LeakOptions.Iterations"/> calls between two readings of the bytes allocated so far (the calling thread's
/// for synchronous code, the whole process's, precisely, for asynchronous code). Over the limit, the code runs again
/// under the runtime's allocation sampling to name the types that allocated most.
/// </summary>
internal static class AllocationRun
{
    /// <summary>Calls and time the sampling run may take at most.</summary>
    private const int SampleCalls = 10_000;

    private static readonly TimeSpan SampleTime = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait for the last sampling events, which the runtime dispatches on a thread of its own.</summary>
    private static readonly TimeSpan EventDelay = TimeSpan.FromMilliseconds(300);

    public static async Task<AllocationReport> MeasureAsync(Func<ValueTask> call, bool processWide, long limitPerCall, LeakOptions options, string? expression, CancellationToken cancellationToken)
    {
        options.Validate();
        if (limitPerCall < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limitPerCall), limitPerCall, "The limit per call must be 0 or more bytes.");
        }

        for (var i = 0; i < options.Warmup; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await call().ConfigureAwait(false);
        }

        long Allocated() => processWide ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread();

        var before = Allocated();
        for (var i = 0; i < options.Iterations; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await call().ConfigureAwait(false);
        }

        var bytesPerCall = (double)(Allocated() - before) / options.Iterations;
        var report = new AllocationReport
        {
            Expression = string.IsNullOrWhiteSpace(expression) ? "code" : expression.Trim(),
            Calls = options.Iterations,
            BytesPerCall = bytesPerCall,
            LimitPerCall = limitPerCall,
            ProcessWide = processWide,
        };
        return report.IsOverLimit ? report with { TopTypes = await SampleAsync(call, cancellationToken).ConfigureAwait(false) } : report;
    }

    private static async Task<IReadOnlyList<AllocationSample>> SampleAsync(Func<ValueTask> call, CancellationToken cancellationToken)
    {
        using var sampler = new AllocationSampler();
        sampler.Start();
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < SampleCalls && stopwatch.Elapsed < SampleTime; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await call().ConfigureAwait(false);
        }

        await Task.Delay(EventDelay, cancellationToken).ConfigureAwait(false);
        sampler.Stop();
        return sampler.Samples;
    }
}
