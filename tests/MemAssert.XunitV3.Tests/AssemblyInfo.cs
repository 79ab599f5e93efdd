// The assembly-level defaults of every [NoGrowth] test in this assembly (AssemblyDefaultsTarget leaves Warmup to this).
[assembly: MemoryAssertions.MemAssertDefaults(Warmup = 4)]
