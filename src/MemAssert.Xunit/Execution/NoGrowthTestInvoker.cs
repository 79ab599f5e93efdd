using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace MemoryAssertions.Xunit.Execution;

/// <summary>
/// Calls the test method as the iteration of <see cref="MemAssert.MeasureAsync"/> on the one test class instance the
/// framework created, and turns a leak into a <see cref="NoGrowthException"/>.
/// </summary>
internal sealed class NoGrowthTestInvoker(
    ITest test,
    IMessageBus messageBus,
    Type testClass,
    object[] constructorArguments,
    MethodInfo testMethod,
    object[] testMethodArguments,
    IReadOnlyList<BeforeAfterTestAttribute> beforeAfterAttributes,
    ExceptionAggregator aggregator,
    CancellationTokenSource cancellationTokenSource)
    : XunitTestInvoker(test, messageBus, testClass, constructorArguments, testMethod, testMethodArguments, beforeAfterAttributes, aggregator, cancellationTokenSource)
{
    protected override object CallTestMethod(object testClassInstance) => MeasureAsync(testClassInstance);

    private async Task MeasureAsync(object testClassInstance)
    {
        if (TestMethod.ReturnType == typeof(void) && TestMethod.GetCustomAttribute<AsyncStateMachineAttribute>() is not null)
        {
            throw new InvalidOperationException("[NoGrowth] cannot measure an 'async void' method: return Task instead, so that each iteration is awaited.");
        }

        var attribute = TestMethod.GetCustomAttribute<NoGrowthAttribute>() ?? new NoGrowthAttribute();
        var report = await MemAssert.MeasureAsync(
                () => InvokeOnce(testClassInstance),
                attribute.ToLeakOptions(),
                CancellationTokenSource.Token,
                TestClass.Name + "." + TestMethod.Name)
            .ConfigureAwait(false);
        if (report.IsLeak)
        {
            throw new NoGrowthException(report);
        }
    }

    private Task InvokeOnce(object testClassInstance)
    {
        object result;
        try
        {
            result = base.CallTestMethod(testClassInstance);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            // The body's own exception, with its own stack trace, as a plain [Fact] would report it.
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }

        return GetTaskFromResult(result) ?? Task.CompletedTask;
    }
}
