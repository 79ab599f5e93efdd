using Xunit.v3;

namespace MemoryAssertions.XunitV3.Execution;

/// <summary>
/// The test collection that <see cref="NoGrowthAttribute"/> tests run in when their class names no collection of its
/// own: one per test assembly, with parallelization disabled, so xUnit runs it after the parallel collections and
/// nothing else in the assembly runs while a check measures.
/// </summary>
internal static class SerialCollection
{
    public const string DisplayName = "MemAssert [NoGrowth] (runs alone)";

    /// <summary>
    /// The same method in the serial collection; unchanged when the class has a <c>[Collection]</c> attribute (its
    /// collection fixtures and ordering belong to that collection).
    /// </summary>
    public static IXunitTestMethod Rehome(IXunitTestMethod testMethod)
    {
        var testClass = testMethod.TestClass;
        var named = testClass.Class.GetCustomAttributes(inherit: true)
            .Any(a => a.GetType().Name.StartsWith("CollectionAttribute", StringComparison.Ordinal));
        if (named)
        {
            return testMethod;
        }

        var collection = new XunitTestCollection(testClass.TestCollection.TestAssembly, collectionDefinition: null, disableParallelization: true, DisplayName);
        return new XunitTestMethod(new XunitTestClass(testClass.Class, collection), testMethod.Method, testMethod.TestMethodArguments);
    }
}
