using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MemAssert.MSTest.Tests;

/// <summary>
/// An <see cref="ITestMethod"/> over a method of a target class, invoked with MSTest's contract for
/// <see cref="ITestMethod.InvokeAsync"/>: each call creates the instance, runs [TestInitialize], the method (awaiting a
/// returned task) and [TestCleanup], and returns a result (Passed, or Failed with the exception) instead of throwing.
/// </summary>
internal sealed class TargetTestMethod(Type type, string name, object?[]? rowArguments = null) : ITestMethod
{
    public MethodInfo MethodInfo { get; } = type.GetMethod(name) ?? throw new ArgumentException($"{type.Name}.{name} not found", nameof(name));

    public int Invocations { get; private set; }

    public List<Exception> Thrown { get; } = [];

    public string TestMethodName => MethodInfo.Name;

    public string TestClassName => type.FullName!;

    public Type ReturnType => MethodInfo.ReturnType;

    public object?[]? Arguments => rowArguments;

    public ParameterInfo[] ParameterTypes => MethodInfo.GetParameters();

    public async Task<Microsoft.VisualStudio.TestTools.UnitTesting.TestResult> InvokeAsync(object?[]? arguments)
    {
        Invocations++;
        var instance = Activator.CreateInstance(type)!;
        try
        {
            await Call<TestInitializeAttribute>(instance);
            await Invoke(MethodInfo, instance, arguments ?? rowArguments); // MSTest: null means the row's own arguments
            await Call<TestCleanupAttribute>(instance);
            return new Microsoft.VisualStudio.TestTools.UnitTesting.TestResult { Outcome = UnitTestOutcome.Passed };
        }
        catch (Exception ex)
        {
            Thrown.Add(ex);
            return new Microsoft.VisualStudio.TestTools.UnitTesting.TestResult
            {
                Outcome = ex is AssertInconclusiveException ? UnitTestOutcome.Inconclusive : UnitTestOutcome.Failed,
                TestFailureException = ex,
            };
        }
    }

    public Attribute[]? GetAllAttributes() => [.. MethodInfo.GetCustomAttributes()];

    public TAttributeType[] GetAttributes<TAttributeType>()
        where TAttributeType : Attribute => [.. MethodInfo.GetCustomAttributes<TAttributeType>()];

    private async Task Call<TAttribute>(object instance)
        where TAttribute : Attribute
    {
        foreach (var method in type.GetMethods().Where(m => m.IsDefined(typeof(TAttribute))))
        {
            await Invoke(method, instance);
        }
    }

    private static async Task Invoke(MethodInfo method, object instance, object?[]? arguments = null)
    {
        object? returned;
        try
        {
            returned = method.Invoke(instance, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }

        if (returned is Task task)
        {
            await task;
        }
    }
}
