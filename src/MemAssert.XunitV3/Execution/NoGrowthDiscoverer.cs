using Xunit;
using Xunit.Sdk;
using Xunit.v3;
#if XUNITV3_3
using CaseDetails = (string TestCaseDisplayName, bool Explicit, System.Type[]? SkipExceptions, string? SkipReason, System.Type? SkipType, string? SkipUnless, string? SkipWhen, string? SourceFilePath, int? SourceLineNumber, int Timeout, string UniqueID, Xunit.v3.IXunitTestMethod ResolvedTestMethod);
#else
using CaseDetails = (string TestCaseDisplayName, bool Explicit, System.Type[]? SkipExceptions, string? SkipReason, System.Type? SkipType, string? SkipUnless, string? SkipWhen, int Timeout, string UniqueID, Xunit.v3.IXunitTestMethod ResolvedTestMethod);
#endif

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
            ? new([Case(TestIntrospectionHelper.GetTestCaseDetails(discoveryOptions, rehomed, factAttribute), Traits(rehomed), testMethodArguments: null)])
            : base.Discover(discoveryOptions, rehomed, factAttribute);
    }

#if XUNITV3_4
    /// <inheritdoc />
    protected override ValueTask<IReadOnlyCollection<IXunitTestCase>> CreateTestCasesForDataRow(
        ITestFrameworkDiscoveryOptions discoveryOptions, IXunitTestMethod testMethod, ITheoryAttribute theoryAttribute, ITheoryDataRow dataRow, object?[] testMethodArguments, string? label) =>
        new([Case(TestIntrospectionHelper.GetTestCaseDetailsForTheoryDataRow(discoveryOptions, testMethod, theoryAttribute, dataRow, testMethodArguments, label), TestIntrospectionHelper.GetTraits(testMethod, dataRow), testMethodArguments)]);
#else
    /// <inheritdoc />
    protected override ValueTask<IReadOnlyCollection<IXunitTestCase>> CreateTestCasesForDataRow(
        ITestFrameworkDiscoveryOptions discoveryOptions, IXunitTestMethod testMethod, ITheoryAttribute theoryAttribute, ITheoryDataRow dataRow, object?[] testMethodArguments) =>
        new([Case(TestIntrospectionHelper.GetTestCaseDetailsForTheoryDataRow(discoveryOptions, testMethod, theoryAttribute, dataRow, testMethodArguments), TestIntrospectionHelper.GetTraits(testMethod, dataRow), testMethodArguments)]);
#endif

    /// <inheritdoc />
    protected override ValueTask<IReadOnlyCollection<IXunitTestCase>> CreateTestCasesForTheory(ITestFrameworkDiscoveryOptions discoveryOptions, IXunitTestMethod testMethod, ITheoryAttribute theoryAttribute)
    {
        ArgumentNullException.ThrowIfNull(theoryAttribute);
        var details = TestIntrospectionHelper.GetTestCaseDetails(discoveryOptions, testMethod, theoryAttribute);
        if (details.SkipReason is not null && details.SkipUnless is null && details.SkipWhen is null)
        {
            // Skipped as a whole: one case, no data needed.
            return new([Case(details, Traits(testMethod), testMethodArguments: null)]);
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
                SourceFilePath(details),
                SourceLineNumber(details),
                details.Timeout)
        ]);
    }

    /// <summary>The test case of a fact, or of one data row (<paramref name="testMethodArguments"/>), from xUnit's details of it.</summary>
    private static NoGrowthTestCase Case(CaseDetails details, Dictionary<string, HashSet<string>> traits, object?[]? testMethodArguments) =>
        new(
            details.ResolvedTestMethod,
            details.TestCaseDisplayName,
            details.UniqueID,
            details.Explicit,
            details.SkipExceptions,
            details.SkipReason,
            details.SkipType,
            details.SkipUnless,
            details.SkipWhen,
            traits,
            testMethodArguments,
            SourceFilePath(details),
            SourceLineNumber(details),
            details.Timeout);

    private static Dictionary<string, HashSet<string>> Traits(IXunitTestMethod testMethod) =>
        testMethod.Traits.ToDictionary(t => t.Key, t => new HashSet<string>(t.Value), StringComparer.OrdinalIgnoreCase);

#if XUNITV3_3
    private static string? SourceFilePath(CaseDetails details) => details.SourceFilePath;

    private static int? SourceLineNumber(CaseDetails details) => details.SourceLineNumber;
#else
    // xunit.v3 2 reads the source location from the runner's source information.
    private static string? SourceFilePath(CaseDetails details) => null;

    private static int? SourceLineNumber(CaseDetails details) => null;
#endif
}
