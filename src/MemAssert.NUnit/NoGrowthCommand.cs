using System.Reflection;
using System.Runtime.CompilerServices;
using MemoryAssertions.Adapters;
using NUnit.Framework;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;
using NUnit.Framework.Internal.Commands;

namespace MemoryAssertions.NUnit;

/// <summary>
/// Runs the inner command (the test method invocation, inside set-up and tear-down) as the iteration of a leak check.
/// An exception from the body propagates unchanged, so NUnit records it as it would for a plain test.
/// </summary>
internal sealed class NoGrowthCommand(TestCommand innerCommand, NoGrowthAttribute attribute) : DelegatingTestCommand(innerCommand)
{
    // NUnit 4 added the test's cancellation token ([CancelAfter]); this adapter compiles against NUnit 3, which has none.
    private static readonly PropertyInfo? CancellationTokenProperty =
        typeof(TestExecutionContext).GetProperty("CancellationToken", typeof(CancellationToken));

    public override TestResult Execute(TestExecutionContext context)
    {
        var test = context.CurrentTest;
        var method = test.Method?.MethodInfo;
        var expression = TestFailure.Expression(test.TypeInfo?.Name ?? test.ClassName ?? "", test.MethodName ?? test.Name, test.Arguments);
        var resolved = TestSettings.For(method, attribute.Settings);
        var cancellation = CancellationTokenProperty?.GetValue(context) is CancellationToken token ? token : CancellationToken.None;

        LeakReport report;
        var attachOnPass = ReportAttachments.AttachOnPass;
        ReportAttachments.AttachOnPass = resolved.AttachReportOnPass;
        try
        {
            report = MemAssert.Measure(() => innerCommand.Execute(context), resolved.Options, cancellation, expression);
        }
        finally
        {
            ReportAttachments.AttachOnPass = attachOnPass;
        }

        if (report.IsLeak)
        {
            // An assertion failure, as Assert.Fail records it, whose stack trace is the test method's.
            var (file, line) = attribute.Location;
            var stackTrace = TestFailure.At(new AssertionException(report.Text), method, file, line).StackTrace;
            context.CurrentResult.RecordAssertion(AssertionStatus.Failed, report.Text, stackTrace);
            context.CurrentResult.SetResult(ResultState.Failure, report.Text, stackTrace);
        }

        return context.CurrentResult;
    }
}

/// <summary>Registers NUnit's attachment of files to the current test with the core, when this adapter loads.</summary>
internal static class NUnitAttachments
{
#pragma warning disable CA2255 // The adapter's registration with the core, as Verify's adapters do it.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        ReportAttachments.Register(file => TestContext.AddTestAttachment(file.Path, file.Description));
}
