using Xunit.Abstractions;
using Xunit.Sdk;

namespace MemoryAssertions.Xunit.Execution;

/// <summary>
/// Finds <see cref="NoGrowthAttribute"/> methods: a method without parameters is one fact-like test case; a method with
/// parameters is a theory whose data rows are each a test case of their own, found as xUnit's theory discoverer finds
/// them (rows that cannot be serialised, or <see cref="NoGrowthAttribute.DisableDiscoveryEnumeration"/>, are enumerated
/// when the test runs). Every case measures the body with MemAssert.
/// </summary>
internal sealed class NoGrowthDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    /// <inheritdoc />
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        ArgumentNullException.ThrowIfNull(testMethod);
        var rehomed = SerialCollection.Rehome(testMethod);
        return testMethod.Method.GetParameters().Any()
            ? base.Discover(discoveryOptions, rehomed, factAttribute)
            : [new NoGrowthTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), rehomed)];
    }

    /// <inheritdoc />
    protected override IEnumerable<IXunitTestCase> CreateTestCasesForDataRow(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute, object[] dataRow) =>
        [new NoGrowthTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, dataRow)];

    /// <inheritdoc />
    protected override IEnumerable<IXunitTestCase> CreateTestCasesForTheory(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute) =>
        [new NoGrowthTheoryTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)];
}
