// The live heap is process-wide: one benchmark run at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
