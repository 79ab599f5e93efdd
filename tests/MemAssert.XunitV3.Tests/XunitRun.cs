using Xunit.Sdk;
using Xunit.v3;

namespace MemAssert.XunitV3.Tests;

/// <summary>The outcome of one test as xUnit v3 reported it.</summary>
internal sealed record TestOutcome(
    string Name,
    string Result,
    FailureCause? Cause,
    string? ExceptionType,
    string? Message,
    string? CollectionName,
    IReadOnlyDictionary<string, TestAttachment> Attachments,
    string? StackTrace = null);

/// <summary>
/// Runs target test classes through xUnit v3's own in-process front controller (discovery and execution of the given
/// types in this assembly) and collects what the framework reports for each test.
/// </summary>
internal static class XunitRun
{
    public static Task<IReadOnlyList<TestOutcome>> RunAsync(params Type[] classes) => RunAsync(serialize: false, classes);

    /// <summary>
    /// Runs the classes; with <paramref name="serialize"/>, each test case is serialized after discovery and
    /// deserialized before execution, as runners that discover and run in separate steps do.
    /// </summary>
    public static async Task<IReadOnlyList<TestOutcome>> RunAsync(bool serialize, params Type[] classes)
    {
        var assembly = classes[0].Assembly;
        var controller = new InProcessFrontController(new XunitTestFramework(), assembly, configFilePath: null);
        var sink = new Sink();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        if (!serialize)
        {
            await controller.FindAndRun(sink, new Options(), new Options(), _ => true, cancellation, classes);
        }
        else
        {
            var testCases = new List<ITestCase>();
            await controller.Find(sink, new Options(), _ => true, cancellation, classes, (testCase, _) =>
            {
                testCases.Add(testCase);
                return new ValueTask<bool>(true);
            });
            var roundTripped = testCases
                .Select(t => SerializationHelper.Instance.Serialize(t))
                .Select(text => (ITestCase)SerializationHelper.Instance.Deserialize(text!)!)
                .ToList();
            await controller.Run(sink, new Options(), roundTripped, cancellation);
        }

        await sink.Done.Task.WaitAsync(TimeSpan.FromMinutes(2));
        return sink.Outcomes;
    }

    /// <summary>Framework defaults for every option.</summary>
    private sealed class Options : ITestFrameworkDiscoveryOptions, ITestFrameworkExecutionOptions
    {
        private readonly Dictionary<string, object?> _values = [];

        public TValue? GetValue<TValue>(string name) => _values.TryGetValue(name, out var value) ? (TValue?)value : default;

        public void SetValue<TValue>(string name, TValue value) => _values[name] = value;

        public string ToJson() => "{}";
    }

    private sealed class Sink : IMessageSink
    {
        private readonly Dictionary<string, string> _collections = [];
        private readonly Dictionary<string, (string Name, string Collection)> _tests = [];
        private readonly Dictionary<string, (string Result, FailureCause? Cause, string? Type, string? Message, string? StackTrace)> _results = [];

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<TestOutcome> Outcomes { get; } = [];

        public bool OnMessage(IMessageSinkMessage message)
        {
            lock (this)
            {
                switch (message)
                {
                    case ITestCollectionStarting collection:
                        _collections[collection.TestCollectionUniqueID] = collection.TestCollectionDisplayName;
                        break;
                    case ITestStarting test:
                        _tests[test.TestUniqueID] = (test.TestDisplayName, _collections.GetValueOrDefault(test.TestCollectionUniqueID, "?"));
                        break;
                    case ITestPassed passed:
                        _results[passed.TestUniqueID] = ("Passed", null, null, null, null);
                        break;
                    case ITestFailed failed:
                        _results[failed.TestUniqueID] = ("Failed", failed.Cause, failed.ExceptionTypes[0], failed.Messages[0], failed.StackTraces[0]);
                        break;
                    case ITestSkipped skipped:
                        _results[skipped.TestUniqueID] = ("Skipped", null, null, skipped.Reason, null);
                        break;
                    case ITestNotRun notRun:
                        _results[notRun.TestUniqueID] = ("NotRun", null, null, null, null);
                        break;
                    case ITestFinished finished:
                        var (name, collectionName) = _tests.GetValueOrDefault(finished.TestUniqueID, ("?", "?"));
                        var (result, cause, type, text, stack) = _results.GetValueOrDefault(finished.TestUniqueID, ("?", null, null, null, null));
                        Outcomes.Add(new TestOutcome(name[(name.LastIndexOf('.') + 1)..], result, cause, type, text, collectionName, finished.Attachments, stack));
                        break;
                    case ITestAssemblyFinished:
                        Done.TrySetResult();
                        break;
                }
            }

            return true;
        }
    }
}
