using MemoryAssertions.MSTest;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MemAssert.MSTest.Tests;

/// <summary>
/// [NoGrowth] tests run by MSTest's own adapter in this run. Each body checks, on every call, what the README says
/// runs per iteration: a fresh instance with [TestInitialize] already run, and [TestCleanup] after the previous call.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class RealAdapterTests
{
    private static int _initializations;
    private static int _cleanups;
    private bool _initialized;
    private int _bodyCalls;

    [TestInitialize]
    public void Initialize()
    {
        _initializations++;
        _initialized = true;
    }

    [TestCleanup]
    public void Cleanup() => _cleanups++;

    [NoGrowth(Iterations = 8, Warmup = 2)]
    public void Each_iteration_is_a_whole_MSTest_invocation()
    {
        Assert.IsTrue(_initialized, "[TestInitialize] ran on this instance");
        Assert.AreEqual(0, _bodyCalls++, "a fresh instance for every iteration");
        Assert.AreEqual(_initializations - 1, _cleanups, "[TestCleanup] ran after every earlier iteration");
    }

    // Run by MSTest's adapter row by row: each row reaches the body with its own argument (else MSTest fails the row).
    [NoGrowth(Iterations = 8, Warmup = 2)]
    [DataRow(1)]
    [DataRow(2)]
    public void A_data_row_test_is_checked_row_by_row(int row) => Assert.IsTrue(row is 1 or 2, $"row {row}");

    [NoGrowth(Iterations = 8, Warmup = 2)]
    public async Task An_async_test_passes()
    {
        using var reader = new StringReader("a\nb");
        var list = new List<string?> { await reader.ReadLineAsync(), await reader.ReadLineAsync() };
        Assert.HasCount(2, list);
    }

    [NoGrowth(Iterations = 8, Warmup = 2)]
    [DataRow(1)]
    [DataRow(2)]
    public void Data_rows_are_checked_row_by_row(int row) => Assert.IsTrue(row is 1 or 2);

    public static IEnumerable<object[]> Rows => [[1], [2]];

    // Rows from a member: each reaches the body with its own argument.
    [NoGrowth(Iterations = 8, Warmup = 2)]
    [DynamicData(nameof(Rows))]
    public void Dynamic_data_rows_are_checked_row_by_row(int row) => Assert.IsTrue(row is 1 or 2, $"row {row}");
}
