using Xunit.Sdk;
using Xunit.v3;

namespace MemoryAssertions.XunitV3.Execution;

/// <summary>Finds <see cref="NoGrowthAttribute"/> methods: a fact whose test case measures the body.</summary>
internal sealed class NoGrowthDiscoverer : FactDiscoverer
{
    /// <inheritdoc />
    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, IXunitTestMethod testMethod, IFactAttribute factAttribute)
    {
        var details = TestIntrospectionHelper.GetTestCaseDetails(discoveryOptions, SerialCollection.Rehome(testMethod), factAttribute);
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
            testMethod.Traits.ToDictionary(t => t.Key, t => new HashSet<string>(t.Value), StringComparer.OrdinalIgnoreCase),
#if XUNITV3_3
            sourceFilePath: details.SourceFilePath,
            sourceLineNumber: details.SourceLineNumber,
#else
            sourceFilePath: null, // xunit.v3 2 reads the source location from the runner's source information
            sourceLineNumber: null,
#endif
            timeout: details.Timeout);
    }
}
