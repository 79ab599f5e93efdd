using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using MemoryAssertions.Adapters;
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
    // A void method is measured on the test's own thread, as a [Fact] body runs; an async one is awaited per iteration.
    protected override object CallTestMethod(object testClassInstance) =>
        TestMethod.ReturnType == typeof(void) ? Measure(testClassInstance) : MeasureAsync(testClassInstance);

    private string Expression => TestFailure.Expression(TestClass.Name, TestMethod.Name, TestMethodArguments);

    private NoGrowthAttribute Attribute => TestMethod.GetCustomAttribute<NoGrowthAttribute>() ?? new NoGrowthAttribute();

    private LeakOptions Options => TestSettings.For(TestMethod, Attribute.Settings).Options;

    // A leak fails the test with the report as the message, its stack trace starting at the test method. xUnit v2 has
    // no attachments: the report is the message.
    private NoGrowthException Failure(LeakReport report) =>
        TestFailure.At(new NoGrowthException(report), TestMethod, Attribute.Location.File, Attribute.Location.Line);

    private object Measure(object testClassInstance)
    {
        if (TestMethod.GetCustomAttribute<AsyncStateMachineAttribute>() is not null)
        {
            throw new InvalidOperationException("[NoGrowth] cannot measure an 'async void' method: return Task instead, so that each iteration is awaited.");
        }

        var report = MemAssert.Measure(() => InvokeOnce(testClassInstance).GetAwaiter().GetResult(), Options, CancellationTokenSource.Token, Expression);
        return report.IsLeak ? throw Failure(report) : Task.CompletedTask;
    }

    private async Task MeasureAsync(object testClassInstance)
    {
        var report = await MemAssert.MeasureAsync(() => InvokeOnce(testClassInstance), Options, CancellationTokenSource.Token, Expression).ConfigureAwait(false);
        if (report.IsLeak)
        {
            throw Failure(report);
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
