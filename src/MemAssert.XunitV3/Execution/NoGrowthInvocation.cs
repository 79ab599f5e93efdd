using System.Globalization;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text;
using Xunit;
using Xunit.Sdk;
using Xunit.v3;

namespace MemoryAssertions.XunitV3.Execution;

/// <summary>
/// Calls the test method as the iteration of <see cref="MemAssert.MeasureAsync"/> on the one test class instance the
/// framework created; a leak attaches the report (and the paths of kept snapshots) to the result and fails the test
/// with a <see cref="NoGrowthException"/>.
/// </summary>
internal static class NoGrowthInvocation
{
    public const string ReportAttachment = "MemAssert leak report";
    public const string SnapshotsAttachment = "MemAssert kept snapshots";

    /// <summary>
    /// Measures the method: a void method on the test's own thread, as a [Fact] body runs; an awaitable one is awaited
    /// per iteration. Returns what the framework awaits.
    /// </summary>
    public static object Measure(IXunitTest test, MethodInfo method, Func<object?> invoke, CancellationToken cancellationToken)
    {
        var options = (method.GetCustomAttribute<NoGrowthAttribute>() ?? new NoGrowthAttribute()).ToLeakOptions();
        var expression = test.TestMethod.TestClass.Class.Name + "." + method.Name;
        if (method.ReturnType == typeof(void))
        {
            Fail(MemAssert.Measure(() => InvokeOnce(invoke).GetAwaiter().GetResult(), options, cancellationToken, expression));
            return Task.CompletedTask;
        }

        return MeasureAsync(invoke, options, expression, cancellationToken);
    }

    private static async Task MeasureAsync(Func<object?> invoke, LeakOptions options, string expression, CancellationToken cancellationToken) =>
        Fail(await MemAssert.MeasureAsync(() => InvokeOnce(invoke), options, cancellationToken, expression).ConfigureAwait(false));

    private static LeakReport Fail(LeakReport report)
    {
        if (!report.IsLeak)
        {
            return report;
        }

        TestContext.Current.AddAttachment(ReportAttachment, report.Text);
        if (report.KeptFiles.Count > 0)
        {
            var paths = new StringBuilder();
            foreach (var file in report.KeptFiles)
            {
                paths.AppendLine(file);
            }

            TestContext.Current.AddAttachment(SnapshotsAttachment, paths.ToString());
        }

        throw new NoGrowthException(report);
    }

    private static Task InvokeOnce(Func<object?> invoke)
    {
        object? result;
        try
        {
            result = invoke();
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            // The body's own exception, with its own stack trace, as a plain [Fact] would report it.
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }

        return AsyncUtility.TryConvertToValueTask(result) is { } pending ? pending.AsTask() : Task.CompletedTask;
    }
}
