using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;
using NUnit.Framework.Internal.Builders;
using NUnit.Framework.Internal.Execution;

namespace MemAssert.NUnit.Tests;

/// <summary>
/// Runs fixtures of this assembly through NUnit's own execution machinery (suite builder, work items, dispatcher),
/// in this process, and returns NUnit's result tree. The target fixtures are [Explicit], so the normal run skips them;
/// a filter that names a test is an explicit match, as on the console runner.
/// </summary>
internal static class InProcessNUnit
{
    /// <summary>Runs one test method of a fixture and returns the method's result.</summary>
    public static ITestResult RunTest(Type fixture, string method)
    {
        var result = Run(fixture, $"<filter><test>{fixture.FullName}.{method}</test></filter>", levelOfParallelism: 0);
        return Find(result, method) ?? throw new InvalidOperationException($"{fixture.Name}.{method} did not run: {result.ResultState} {result.Message}");
    }

    /// <summary>Runs a whole fixture, in parallel when <paramref name="levelOfParallelism"/> is above 0.</summary>
    public static ITestResult RunFixture(Type fixture, int levelOfParallelism) =>
        Run(fixture, $"<filter><class>{fixture.FullName}</class></filter>", levelOfParallelism);

    /// <summary>Builds the NUnit test for one method, as discovery would.</summary>
    public static Test Build(Type fixture, string method)
    {
        var suite = new DefaultSuiteBuilder().BuildFrom(new TypeWrapper(fixture));
        return (Test)suite.Tests.Single(t => t.Name == method);
    }

    public static ITestResult? Find(ITestResult result, string name) =>
        result.Test.Name == name && !result.Test.IsSuite
            ? result
            : result.Children.Select(c => Find(c, name)).FirstOrDefault(r => r is not null);

    private static ITestResult Run(Type fixture, string filterXml, int levelOfParallelism)
    {
        var suite = new DefaultSuiteBuilder().BuildFrom(new TypeWrapper(fixture));
        var work = WorkItemBuilder.CreateWorkItem(suite, TestFilter.FromXml(filterXml), recursive: true)
            ?? throw new InvalidOperationException($"The filter selected nothing in {fixture.Name}.");
        var context = new TestExecutionContext
        {
            Dispatcher = levelOfParallelism > 0 ? new ParallelWorkItemDispatcher(levelOfParallelism) : new InlineDispatcher(),
        };
        work.InitializeContext(context);

        var outer = TestExecutionContext.CurrentContext;
        try
        {
            context.Dispatcher!.Start(work);
            work.WaitForCompletion();
        }
        finally
        {
            outer.EstablishExecutionEnvironment();
        }

        return work.Result;
    }

    /// <summary>Executes every work item on the calling thread.</summary>
    private sealed class InlineDispatcher : IWorkItemDispatcher
    {
        public int LevelOfParallelism => 0;

        public void Start(WorkItem topLevelWorkItem) => topLevelWorkItem.Execute();

        public void Dispatch(WorkItem work) => work.Execute();

        public void CancelRun()
        {
        }
    }
}
