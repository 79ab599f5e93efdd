using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using MemoryAssertions.Adapters;
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

    /// <summary>
    /// Measures the method: a void method on the test's own thread, as a [Fact] body runs; an awaitable one is awaited
    /// per iteration. Returns what the framework awaits.
    /// </summary>
    public static object Measure(IXunitTest test, MethodInfo method, Func<object?> invoke, CancellationToken cancellationToken)
    {
        var attribute = method.GetCustomAttribute<NoGrowthAttribute>() ?? new NoGrowthAttribute();
        var resolved = TestSettings.For(method, attribute.Settings);
        var expression = TestFailure.Expression(test.TestMethod.TestClass.Class.Name, method.Name, test.TestMethodArguments);
        if (method.ReturnType == typeof(void))
        {
            var attachOnPass = ReportAttachments.AttachOnPass;
            ReportAttachments.AttachOnPass = resolved.AttachReportOnPass;
            try
            {
                Fail(MemAssert.Measure(() => InvokeOnce(invoke).GetAwaiter().GetResult(), resolved.Options, cancellationToken, expression), method, attribute);
            }
            finally
            {
                ReportAttachments.AttachOnPass = attachOnPass;
            }

            return Task.CompletedTask;
        }

        return MeasureAsync(invoke, resolved, expression, method, attribute, cancellationToken);
    }

    private static async Task MeasureAsync(Func<object?> invoke, TestSettings.Resolved resolved, string expression, MethodInfo method, NoGrowthAttribute attribute, CancellationToken cancellationToken)
    {
        // An async method's change to an AsyncLocal ends with the method: the flag covers this test only.
        ReportAttachments.AttachOnPass = resolved.AttachReportOnPass;
        Fail(await MemAssert.MeasureAsync(() => InvokeOnce(invoke), resolved.Options, cancellationToken, expression).ConfigureAwait(false), method, attribute);
    }

    /// <summary>A leak fails the test with the report as the message, its stack trace starting at the test method.</summary>
    private static void Fail(LeakReport report, MethodInfo method, NoGrowthAttribute attribute)
    {
        if (report.IsLeak)
        {
            var (file, line) = attribute.Location;
            throw TestFailure.At(new NoGrowthException(report), method, file, line);
        }
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

/// <summary>Registers xUnit's attachments of the current test with the core, when this adapter loads.</summary>
internal static class XunitAttachments
{
#pragma warning disable CA2255 // The adapter's registration with the core, as Verify's adapters do it.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => ReportAttachments.Register(Attach);

    // xUnit keeps attachments in memory, by unique name: the text and the plot as they are; a kept heap dump (large) by its path.
    private static void Attach(ReportAttachment file)
    {
        var name = file.Description + " (" + Path.GetFileName(file.Path) + ")";
        if (file.MediaType == "text/plain")
        {
            TestContext.Current.AddAttachment(name, File.ReadAllText(file.Path));
        }
        else if (file.MediaType == "image/svg+xml")
        {
            TestContext.Current.AddAttachment(name, File.ReadAllBytes(file.Path), file.MediaType);
        }
        else
        {
            TestContext.Current.AddAttachment(name, file.Path);
        }
    }
}
