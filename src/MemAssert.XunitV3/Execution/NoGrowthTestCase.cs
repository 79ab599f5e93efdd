using System.ComponentModel;
using Xunit.Sdk;
using Xunit.v3;

namespace MemoryAssertions.XunitV3.Execution;

/// <summary>A fact test case whose run measures the method body with MemAssert.</summary>
internal sealed class NoGrowthTestCase : XunitTestCase, ISelfExecutingXunitTestCase
{
    /// <summary>Called by the de-serializer only.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public NoGrowthTestCase()
    {
    }

    /// <summary>Creates the test case (see <see cref="XunitTestCase"/>).</summary>
#pragma warning disable CA1002, CA1019 // Same shape as XunitTestCase's constructor.
    public NoGrowthTestCase(
        IXunitTestMethod testMethod,
        string testCaseDisplayName,
        string uniqueID,
        bool @explicit,
        Type[]? skipExceptions,
        string? skipReason,
        Type? skipType,
        string? skipUnless,
        string? skipWhen,
        Dictionary<string, HashSet<string>> traits,
        string? sourceFilePath,
        int? sourceLineNumber,
        int? timeout)
        : base(testMethod, testCaseDisplayName, uniqueID, @explicit, skipExceptions, skipReason, skipType, skipUnless, skipWhen, traits, null, sourceFilePath, sourceLineNumber, timeout)
#pragma warning restore CA1002, CA1019
    {
    }

#if XUNITV3_4
    /// <inheritdoc />
    public async ValueTask<RunSummary> Run(
        ExplicitOption explicitOption,
        IMessageBus messageBus,
        object?[] constructorArguments,
        ExceptionAggregator aggregator,
        CancellationTokenSource cancellationTokenSource,
        ParallelMode parallelMode,
        ExecutionScheduler scheduler,
        FixtureMappingManager methodFixtureMappings)
    {
        var tests = await aggregator.RunAsync(CreateTests, []).ConfigureAwait(false);
        if (aggregator.ToException() is { } exception)
        {
            return XunitRunnerHelper.FailTestCases(messageBus, cancellationTokenSource, [this], exception);
        }

        return await NoGrowthTestCaseRunner.Instance.Run(
                this, tests, messageBus, aggregator, cancellationTokenSource, parallelMode, scheduler, TestCaseDisplayName, SkipReason, explicitOption, constructorArguments, methodFixtureMappings)
            .ConfigureAwait(false);
    }
#else
    /// <inheritdoc />
    public async ValueTask<RunSummary> Run(
        ExplicitOption explicitOption,
        IMessageBus messageBus,
        object?[] constructorArguments,
        ExceptionAggregator aggregator,
        CancellationTokenSource cancellationTokenSource)
    {
        var tests = await aggregator.RunAsync(CreateTests, []).ConfigureAwait(false);
        if (aggregator.ToException() is { } exception)
        {
            return XunitRunnerHelper.FailTestCases(messageBus, cancellationTokenSource, [this], exception);
        }

        return await NoGrowthTestCaseRunner.Instance.Run(
                this, tests, messageBus, aggregator, cancellationTokenSource, TestCaseDisplayName, SkipReason, explicitOption, constructorArguments)
            .ConfigureAwait(false);
    }
#endif
}
