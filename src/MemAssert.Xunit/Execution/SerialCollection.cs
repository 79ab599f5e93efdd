using System.Security.Cryptography;
using System.Text;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace MemoryAssertions.Xunit.Execution;

/// <summary>
/// The test collection that <see cref="NoGrowthAttribute"/> tests run in when their class names no collection of its
/// own: one per test assembly, with parallelization disabled, so xUnit runs it after the parallel collections and
/// nothing else in the assembly runs while a check measures.
/// </summary>
internal static class SerialCollection
{
    private const string DisplayName = "MemAssert [NoGrowth] (runs alone)";

    /// <summary>
    /// The same method in the serial collection; unchanged when the class has a <c>[Collection]</c> attribute (its
    /// collection fixtures and ordering belong to that collection).
    /// </summary>
    public static ITestMethod Rehome(ITestMethod testMethod)
    {
        var testClass = testMethod.TestClass;
        if (testClass.Class.GetCustomAttributes(typeof(CollectionAttribute)).Any())
        {
            return testMethod;
        }

        var assembly = testClass.TestCollection.TestAssembly;
        // xUnit 2.4's constructor draws a random id; the id is set after it (the 4-argument constructor came in 2.5).
        var collection = new TestCollection(assembly, Reflector.Wrap(typeof(Definition)), DisplayName) { UniqueID = IdFor(assembly) };
        return new TestMethod(new TestClass(collection, testClass.Class), testMethod.Method);
    }

    // Stable across discovery and execution (the id is part of every test case id), distinct per test assembly.
    private static Guid IdFor(ITestAssembly assembly)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("MemAssert.Xunit.NoGrowth|" + assembly.Assembly.Name));
        return new Guid(hash.AsSpan(0, 16));
    }

    [CollectionDefinition(DisplayName, DisableParallelization = true)]
    internal sealed class Definition;
}
