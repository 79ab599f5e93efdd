namespace MemoryAssertions.Benchmarks;

/// <summary>The heap the measurements run on: N small objects (32 B each) kept alive by a static array.</summary>
internal static class LiveObjects
{
    private static Item[] s_items = [];

    public static void Build(int count)
    {
        s_items = new Item[count];
        for (var i = 0; i < count; i++)
        {
            // Every 16th object points at a neighbour so that the graph is not only an array of leaves.
            s_items[i] = new Item { Value = i, Next = i % 16 == 0 && i > 0 ? s_items[i - 1] : null };
        }

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    public static int Count => s_items.Length;

    private sealed class Item
    {
        public long Value;
        public Item? Next;
    }
}

/// <summary>What the failing delegate leaks: one of these per call, kept by a static list.</summary>
internal sealed class LeakedRecord
{
    public static readonly List<LeakedRecord> Kept = [];

    public long Id;
}
