using Xunit.Sdk;
using Xunit.v3;

namespace MemoryAssertions.XunitV3.Execution;

#if XUNITV3_4
/// <summary>The fact test case runner (xunit.v3 4), whose context runs each test with <see cref="NoGrowthTestRunner"/>.</summary>
internal sealed class NoGrowthTestCaseRunner : XunitTestCaseRunner
{
    public static new NoGrowthTestCaseRunner Instance { get; } = new();

    public new async ValueTask<RunSummary> Run(
        IXunitTestCase testCase,
        IReadOnlyCollection<IXunitTest> tests,
        IMessageBus messageBus,
        ExceptionAggregator aggregator,
        CancellationTokenSource cancellationTokenSource,
        ParallelMode parallelMode,
        ExecutionScheduler scheduler,
        string displayName,
        string? skipReason,
        ExplicitOption explicitOption,
        object?[] constructorArguments,
        FixtureMappingManager methodFixtureMappings)
    {
        var ctxt = new Context(testCase, tests, explicitOption, messageBus, aggregator, displayName, skipReason, cancellationTokenSource, parallelMode, scheduler, constructorArguments, methodFixtureMappings);
        await using (ctxt.ConfigureAwait(false))
        {
            await ctxt.InitializeAsync().ConfigureAwait(false);
            return await Run(ctxt).ConfigureAwait(false);
        }
    }

    private sealed class Context(
        IXunitTestCase testCase,
        IReadOnlyCollection<IXunitTest> tests,
        ExplicitOption explicitOption,
        IMessageBus messageBus,
        ExceptionAggregator aggregator,
        string displayName,
        string? skipReason,
        CancellationTokenSource cancellationTokenSource,
        ParallelMode parallelMode,
        ExecutionScheduler scheduler,
        object?[] constructorArguments,
        FixtureMappingManager methodFixtureMappings)
        : XunitTestCaseRunnerContext(testCase, tests, explicitOption, messageBus, aggregator, displayName, skipReason, cancellationTokenSource, parallelMode, scheduler, constructorArguments, methodFixtureMappings)
    {
        public override ValueTask<RunSummary> RunTest(IXunitTest test) =>
            NoGrowthTestRunner.Instance.Run(
                test, MessageBus, ConstructorArguments, ExplicitOption, Aggregator.Clone(), CancellationTokenSource, ParallelMode, Scheduler, BeforeAfterTestAttributes, CaseFixtureMappings);
    }
}

/// <summary>The fact test runner (xunit.v3 4), whose context calls the method through <see cref="NoGrowthInvocation"/>.</summary>
internal sealed class NoGrowthTestRunner : XunitTestRunner
{
    public static new NoGrowthTestRunner Instance { get; } = new();

    public new async ValueTask<RunSummary> Run(
        IXunitTest test,
        IMessageBus messageBus,
        object?[] constructorArguments,
        ExplicitOption explicitOption,
        ExceptionAggregator aggregator,
        CancellationTokenSource cancellationTokenSource,
        ParallelMode parallelMode,
        ExecutionScheduler scheduler,
        IReadOnlyCollection<IBeforeAfterTestAttribute> beforeAfterAttributes,
        FixtureMappingManager caseFixtureMappings)
    {
        var ctxt = new Context(test, explicitOption, messageBus, aggregator, cancellationTokenSource, parallelMode, scheduler, beforeAfterAttributes, constructorArguments, caseFixtureMappings);
        await using (ctxt.ConfigureAwait(false))
        {
            await ctxt.InitializeAsync().ConfigureAwait(false);
            return await Run(ctxt).ConfigureAwait(false);
        }
    }

    private sealed class Context(
        IXunitTest test,
        ExplicitOption explicitOption,
        IMessageBus messageBus,
        ExceptionAggregator aggregator,
        CancellationTokenSource cancellationTokenSource,
        ParallelMode parallelMode,
        ExecutionScheduler scheduler,
        IReadOnlyCollection<IBeforeAfterTestAttribute> beforeAfterTestAttributes,
        object?[] constructorArguments,
        FixtureMappingManager caseFixtureMappings)
        : XunitTestRunnerContext(test, explicitOption, messageBus, aggregator, cancellationTokenSource, parallelMode, scheduler, beforeAfterTestAttributes, constructorArguments, caseFixtureMappings)
    {
        protected override object? InvokeTestMethod(object? testClassInstance) =>
            NoGrowthInvocation.Measure(Test, Method, () => base.InvokeTestMethod(testClassInstance), CancellationTokenSource.Token);
    }
}
#else
/// <summary>The fact test case runner that runs each test with <see cref="NoGrowthTestRunner"/> (xunit.v3 2.x and 3.x).</summary>
internal sealed class NoGrowthTestCaseRunner : XunitTestCaseRunner
{
    public static new NoGrowthTestCaseRunner Instance { get; } = new();

    protected override ValueTask<RunSummary> RunTest(XunitTestCaseRunnerContext ctxt, IXunitTest test)
    {
        ArgumentNullException.ThrowIfNull(ctxt);
        return NoGrowthTestRunner.Instance.Run(
            test, ctxt.MessageBus, ctxt.ConstructorArguments, ctxt.ExplicitOption, ctxt.Aggregator.Clone(), ctxt.CancellationTokenSource, ctxt.BeforeAfterTestAttributes);
    }
}

/// <summary>The fact test runner that calls the method through <see cref="NoGrowthInvocation"/> (xunit.v3 2.x and 3.x).</summary>
internal sealed class NoGrowthTestRunner : XunitTestRunner
{
    public static new NoGrowthTestRunner Instance { get; } = new();

    protected override object? InvokeTestMethod(XunitTestRunnerContext ctxt, object? testClassInstance)
    {
        ArgumentNullException.ThrowIfNull(ctxt);
        return NoGrowthInvocation.Measure(ctxt.Test, ctxt.TestMethod, () => base.InvokeTestMethod(ctxt, testClassInstance), ctxt.CancellationTokenSource.Token);
    }
}
#endif
