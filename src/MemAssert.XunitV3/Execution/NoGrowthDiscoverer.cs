using Xunit;
using Xunit.Sdk;
using Xunit.v3;

namespace MemoryAssertions.XunitV3.Execution;

/// <summary>
/// Finds <see cref="NoGrowthAttribute"/> methods: a method without parameters is one fact-like test case; a method with
/// parameters is a theory whose data rows are each a test case of their own, found as xUnit's theory discoverer finds
/// them (rows that cannot be serialised, or <see cref="NoGrowthAttribute.DisableDiscoveryEnumeration"/>, are enumerated
/// when the test runs). Every case measures the body with MemAssert.
/// </summary>
internal sealed class NoGrowthDiscoverer : TheoryDiscoverer
{
    /// <inheritdoc />
    public override ValueTask<IReadOnlyCollection<IXunitTestCase>> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, IXunitTestMethod testMethod, IFactAttribute factAttribute)
    {
        ArgumentNullException.ThrowIfNull(testMethod);
        var rehomed = SerialCollection.Rehome(testMethod);
        return testMethod.Method.GetParameters().Length == 0
            ? new([CreateFactCase(discoveryOptions, rehomed, factAttribute)])
            : base.Discover(discoveryOptions, rehomed, factAttribute);
    }

#if !XUNITV3_4
    /// <inheritdoc />
    protected override ValueTask<IReadOnlyCollection<IXunitTestCase>> CreateTestCasesForDataRow(
        ITestFrameworkDiscoveryOptions discoveryOptions, IXunitTestMethod testMethod, ITheoryAttribute theoryAttribute, ITheoryDataRow dataRow, object?[] testMethodArguments)
    {
        var details = TestIntrospectionHelper.GetTestCaseDetailsForTheoryDataRow(discoveryOptions, testMethod, theoryAttribute, dataRow, testMethodArguments);
        return new([
            new NoGrowthTestCase(
                details.ResolvedTestMethod,
                details.TestCaseDisplayName,
                details.UniqueID,
                details.Explicit,
                details.SkipExceptions,
                details.SkipReason,
                details.SkipType,
                details.SkipUnless,
                details.SkipWhen,
                TestIntrospectionHelper.GetTraits(testMethod, dataRow),
                testMethodArguments,
#if XUNITV3_3
                details.SourceFilePath,
                details.SourceLineNumber,
#else
                null,
                null,
#endif
                details.Timeout)
        ]);
    }
#else
    /// <inheritdoc />
    protected override ValueTask<IReadOnlyCollection<IXunitTestCase>> CreateTestCasesForDataRow(
        ITestFrameworkDiscoveryOptions discoveryOptions, IXunitTestMethod testMethod, ITheoryAttribute theoryAttribute, ITheoryDataRow dataRow, object?[] testMethodArguments, string? label)
    {
        var details = TestIntrospectionHelper.GetTestCaseDetailsForTheoryDataRow(discoveryOptions, testMethod, theoryAttribute, dataRow, testMethodArguments, label);
        return new([
            new NoGrowthTestCase(
                details.ResolvedTestMethod,
                details.TestCaseDisplayName,
                details.UniqueID,
                details.Explicit,
                details.SkipExceptions,
                details.SkipReason,
                details.SkipType,
                details.SkipUnless,
                details.SkipWhen,
                TestIntrospectionHelper.GetTraits(testMethod, dataRow),
                testMethodArguments,
#if XUNITV3_3
                details.SourceFilePath,
                details.SourceLineNumber,
#else
                null,
                null,
#endif
                details.Timeout)
        ]);
    }
#endif

    /// <inheritdoc />
    protected override ValueTask<IReadOnlyCollection<IXunitTestCase>> CreateTestCasesForTheory(ITestFrameworkDiscoveryOptions discoveryOptions, IXunitTestMethod testMethod, ITheoryAttribute theoryAttribute)
    {
        ArgumentNullException.ThrowIfNull(theoryAttribute);
        var details = TestIntrospectionHelper.GetTestCaseDetails(discoveryOptions, testMethod, theoryAttribute);
        if (details.SkipReason is not null && details.SkipUnless is null && details.SkipWhen is null)
        {
            return new([CreateFactCase(discoveryOptions, testMethod, theoryAttribute)]);
        }

        return new([
            new NoGrowthDelayEnumeratedTestCase(
                details.ResolvedTestMethod,
                details.TestCaseDisplayName,
                details.UniqueID,
                details.Explicit,
                theoryAttribute.SkipTestWithoutData,
                details.SkipExceptions,
                details.SkipReason,
                details.SkipType,
                details.SkipUnless,
                details.SkipWhen,
                Traits(testMethod),
#if XUNITV3_3
                details.SourceFilePath,
                details.SourceLineNumber,
#else
                null, // xunit.v3 2 reads the source location from the runner's source information
                null,
#endif
                details.Timeout)
        ]);
    }

    private static NoGrowthTestCase CreateFactCase(ITestFrameworkDiscoveryOptions discoveryOptions, IXunitTestMethod testMethod, IFactAttribute factAttribute)
    {
        var details = TestIntrospectionHelper.GetTestCaseDetails(discoveryOptions, testMethod, factAttribute);
        return new NoGrowthTestCase(
            details.ResolvedTestMethod,
            details.TestCaseDisplayName,
            details.UniqueID,
            details.Explicit,
            details.SkipExceptions,
            details.SkipReason,
            details.SkipType,
            details.SkipUnless,
            details.SkipWhen,
            Traits(testMethod),
            testMethodArguments: null,
#if XUNITV3_3
            details.SourceFilePath,
            details.SourceLineNumber,
#else
            null, // xunit.v3 2 reads the source location from the runner's source information
            null,
#endif
            details.Timeout);
    }

    private static Dictionary<string, HashSet<string>> Traits(IXunitTestMethod testMethod) =>
        testMethod.Traits.ToDictionary(t => t.Key, t => new HashSet<string>(t.Value), StringComparer.OrdinalIgnoreCase);

}
