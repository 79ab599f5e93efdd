using System.ComponentModel;
using Xunit.Sdk;
using Xunit.v3;

namespace MemoryAssertions.XunitV3.Execution;

/// <summary>A <c>[NoGrowth]</c> test case (a fact, or one data row of a test with data) whose run measures the method body with MemAssert.</summary>
internal sealed class NoGrowthTestCase : XunitTestCase, INoGrowthTestCase
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
        object?[]? testMethodArguments,
        string? sourceFilePath,
        int? sourceLineNumber,
        int? timeout)
        : base(testMethod, testCaseDisplayName, uniqueID, @explicit, skipExceptions, skipReason, skipType, skipUnless, skipWhen, traits, testMethodArguments, sourceFilePath, sourceLineNumber, timeout)
#pragma warning restore CA1002, CA1019
    {
    }
}

/// <summary>
/// A <c>[NoGrowth]</c> test with data rows that are enumerated when it runs (non-serialisable data, or
/// <see cref="NoGrowthAttribute.DisableDiscoveryEnumeration"/>): each row is a check of its own.
/// </summary>
internal sealed class NoGrowthDelayEnumeratedTestCase : XunitDelayEnumeratedTheoryTestCase, INoGrowthTestCase
{
    /// <summary>Called by the de-serializer only.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public NoGrowthDelayEnumeratedTestCase()
    {
    }

    /// <summary>Creates the test case (see <see cref="XunitDelayEnumeratedTheoryTestCase"/>).</summary>
#pragma warning disable CA1002, CA1019 // Same shape as XunitDelayEnumeratedTheoryTestCase's constructor.
    public NoGrowthDelayEnumeratedTestCase(
        IXunitTestMethod testMethod,
        string testCaseDisplayName,
        string uniqueID,
        bool @explicit,
        bool skipTestWithoutData,
        Type[]? skipExceptions,
        string? skipReason,
        Type? skipType,
        string? skipUnless,
        string? skipWhen,
        Dictionary<string, HashSet<string>> traits,
        string? sourceFilePath,
        int? sourceLineNumber,
        int? timeout)
        : base(testMethod, testCaseDisplayName, uniqueID, @explicit, skipTestWithoutData, skipExceptions, skipReason, skipType, skipUnless, skipWhen, traits, sourceFilePath, sourceLineNumber, timeout)
#pragma warning restore CA1002, CA1019
    {
    }
}

/// <summary>A <c>[NoGrowth]</c> test case runs itself: its tests (one, or one per data row) each measured by <see cref="NoGrowthTestRunner"/>.</summary>
internal interface INoGrowthTestCase : IXunitTestCase, ISelfExecutingXunitTestCase
{
#if XUNITV3_4
    async ValueTask<RunSummary> ISelfExecutingXunitTestCase.Run(
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
    async ValueTask<RunSummary> ISelfExecutingXunitTestCase.Run(
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
