using Xunit.Abstractions;
using Xunit.Sdk;

namespace MemoryAssertions.Xunit.Execution;

/// <summary>Finds <see cref="NoGrowthAttribute"/> methods: a fact whose test case measures the body.</summary>
internal sealed class NoGrowthDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        new NoGrowthTestCase(
            DiagnosticMessageSink,
            discoveryOptions.MethodDisplayOrDefault(),
            discoveryOptions.MethodDisplayOptionsOrDefault(),
            SerialCollection.Rehome(testMethod));
}
