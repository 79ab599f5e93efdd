using System.Reflection;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace MemAssert.Xunit.Tests;

/// <summary>The outcome of one test as xUnit v2 reported it.</summary>
internal sealed record TestOutcome(string Name, string Result, string? ExceptionType, string? Message, string? CollectionName, string? StackTrace = null, string? DisplayName = null);

/// <summary>
/// Runs target test classes through xUnit v2's own discovery and execution (XunitTestFramework, in this process) and
/// collects what the framework reports for each test.
/// </summary>
internal static class XunitRun
{
    public static Task<IReadOnlyList<TestOutcome>> RunAsync(params Type[] classes) => RunAsync(serialize: false, classes);

    /// <summary>
    /// Runs the classes; with <paramref name="serialize"/>, each test case is serialized after discovery and
    /// deserialized before execution, as runners that discover and run in separate steps (IDEs) do.
    /// </summary>
    public static async Task<IReadOnlyList<TestOutcome>> RunAsync(bool serialize, params Type[] classes)
    {
        var assembly = classes[0].Assembly;
        using var framework = new XunitTestFramework(new NullMessageSink());
        using var discoverer = framework.GetDiscoverer(Reflector.Wrap(assembly));
        var testCases = new List<ITestCase>();
        foreach (var type in classes)
        {
            var discovery = new Sink();
            discoverer.Find(type.FullName, false, discovery, new Options());
            await discovery.Done.Task.WaitAsync(TimeSpan.FromMinutes(1));
            testCases.AddRange(discovery.TestCases);
        }

        using var executor = framework.GetExecutor(assembly.GetName());
        if (serialize)
        {
            testCases = testCases.Select(discoverer.Serialize).Select(executor.Deserialize).ToList();
        }

        var execution = new Sink();
        executor.RunTests(testCases, execution, new Options());
        await execution.Done.Task.WaitAsync(TimeSpan.FromMinutes(2));
        return execution.Outcomes;
    }

    /// <summary>Framework defaults for every option (xunit.runner.utility's TestFrameworkOptions does the same).</summary>
    private sealed class Options : LongLivedMarshalByRefObject, ITestFrameworkDiscoveryOptions, ITestFrameworkExecutionOptions
    {
        private readonly Dictionary<string, object?> _values = [];

        public TValue GetValue<TValue>(string name) => _values.TryGetValue(name, out var value) ? (TValue)value! : default!;

        public void SetValue<TValue>(string name, TValue value) => _values[name] = value;
    }

    private sealed class Sink : LongLivedMarshalByRefObject, IMessageSink
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<ITestCase> TestCases { get; } = [];

        public List<TestOutcome> Outcomes { get; } = [];

        public bool OnMessage(IMessageSinkMessage message)
        {
            lock (this)
            {
                switch (message)
                {
                    case ITestCaseDiscoveryMessage discovered:
                        TestCases.Add(discovered.TestCase);
                        break;
                    case IDiscoveryCompleteMessage:
                    case ITestAssemblyFinished:
                        Done.TrySetResult();
                        break;
                    case ITestPassed passed:
                        Outcomes.Add(Outcome(passed, "Passed", null, null));
                        break;
                    case ITestFailed failed:
                        Outcomes.Add(Outcome(failed, "Failed", failed.ExceptionTypes[0], failed.Messages[0]) with { StackTrace = failed.StackTraces[0] });
                        break;
                    case ITestSkipped skipped:
                        Outcomes.Add(Outcome(skipped, "Skipped", null, skipped.Reason));
                        break;
                }
            }

            return true;
        }

        private static TestOutcome Outcome(ITestResultMessage result, string kind, string? exceptionType, string? message) =>
            new(result.Test.TestCase.TestMethod.Method.Name, kind, exceptionType, message, result.TestCollection.DisplayName, DisplayName: result.Test.DisplayName[(result.Test.DisplayName.LastIndexOf('.') + 1)..]);
    }
}
