// The leak scenarios judge real leaks of a few bytes per call from the process's live heap. Tests of other classes
// running beside them (allocating, then freeing as they finish) shrink or grow that heap and can hide a leak of 2–24 B
// per call: seen twice in full runs (a static-list leak and a leak on every tenth call passed as "no growth"). What a
// user's parallel tests do to a check is documented in the README; this suite keeps its own tests one at a time so
// that every scenario asserts exactly what it measures.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
