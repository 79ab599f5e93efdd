// The assembly-level defaults of every [NoGrowth] test in this assembly (the targets set what they need themselves;
// AssemblyDefaultsTargets leaves Warmup to this).
[assembly: MemoryAssertions.MemAssertDefaults(Warmup = 4)]
