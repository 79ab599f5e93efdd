using System.Reflection;
using System.Runtime.CompilerServices;
using MemoryAssertions.Adapters;
using TUnit.Core;
using TUnit.Core.Interfaces;

namespace MemoryAssertions.TUnit;

/// <summary>Runs a test's body as the iteration of a leak check and fails the test on a leak.</summary>
internal sealed class NoGrowthExecutor(NoGrowthAttribute attribute) : ITestExecutor
{
    public async ValueTask ExecuteTest(TestContext context, Func<ValueTask> action)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(action);
        var details = context.Metadata.TestDetails;
        var type = details.ClassType;
        var method = type.GetMethod(details.MethodName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static);
        var resolved = TestSettings.For(method, attribute.Settings);
        var expression = TestFailure.Expression(type.Name, details.MethodName, details.TestMethodArguments);

        // An async method's change to an AsyncLocal ends with the method: the flag covers this test only.
        ReportAttachments.AttachOnPass = resolved.AttachReportOnPass;
        var report = await MemAssert.MeasureAsync(async () => await action().ConfigureAwait(false), resolved.Options, context.Execution.CancellationToken, expression)
            .ConfigureAwait(false);
        if (report.IsLeak)
        {
            // TUnit constructs attributes in generated code, so the attribute's caller location is the generated file's:
            // the test's own location comes from TUnit.
            throw TestFailure.At(new NoGrowthException(report), method, details.TestFilePath, details.TestLineNumber);
        }
    }
}

/// <summary>Registers TUnit's artifacts of the current test with the core, when this adapter loads.</summary>
internal static class TUnitAttachments
{
#pragma warning disable CA2255 // The adapter's registration with the core, as Verify's adapters do it.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => ReportAttachments.Register(file =>
    {
        if (TestContext.Current is { } test)
        {
            test.Output.AttachArtifact(file.Path, file.Description, file.Description);
        }
    });
}
