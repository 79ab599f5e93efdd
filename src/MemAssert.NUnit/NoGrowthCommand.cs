using System.Reflection;
using MemoryAssertions.Attachments;
using NUnit.Framework;
using NUnit.Framework.Internal;
using NUnit.Framework.Internal.Commands;

namespace MemoryAssertions.NUnit;

/// <summary>
/// Runs the inner command (the test method invocation, inside set-up and tear-down) as the iteration of a leak check.
/// An exception from the body propagates unchanged, so NUnit records it as it would for a plain test.
/// </summary>
internal sealed class NoGrowthCommand(TestCommand innerCommand, LeakOptions options) : DelegatingTestCommand(innerCommand)
{
    // NUnit 4 added the test's cancellation token ([CancelAfter]); this adapter compiles against NUnit 3, which has none.
    private static readonly PropertyInfo? CancellationTokenProperty =
        typeof(TestExecutionContext).GetProperty("CancellationToken", typeof(CancellationToken));

    public override TestResult Execute(TestExecutionContext context)
    {
        var test = context.CurrentTest;
        var expression = $"{test.TypeInfo?.Name ?? test.ClassName}.{test.Name}";

        var cancellation = CancellationTokenProperty?.GetValue(context) is CancellationToken token ? token : CancellationToken.None;
        var report = MemAssert.Measure(() => innerCommand.Execute(context), options, cancellation, expression);

        foreach (var (path, description) in ReportFiles.For(report, expression))
        {
            TestContext.AddTestAttachment(path, description);
        }

        if (report.IsLeak)
        {
            // NUnit's own failure path: records the assertion in the result and throws AssertionException.
            Assert.Fail(report.Text);
        }

        return context.CurrentResult;
    }
}
