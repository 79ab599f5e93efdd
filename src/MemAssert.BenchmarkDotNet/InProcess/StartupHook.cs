using MemoryAssertions.BenchmarkDotNet.InProcess;

#pragma warning disable CA1050 // The runtime looks for a type named StartupHook in the global namespace.

/// <summary>
/// Loaded by the runtime in the benchmark process when the host set <c>DOTNET_STARTUP_HOOKS</c> to this assembly
/// (which <see cref="MemoryAssertions.BenchmarkDotNet.MemoryTrendDiagnoser"/> does, and only for the process it diagnoses).
/// </summary>
internal static class StartupHook
{
    /// <summary>The environment variable naming the file the benchmark process writes its readings to.</summary>
    internal const string OutputVariable = "MEMASSERT_TREND_OUTPUT";

    private static TrendProbe? s_probe;

    /// <summary>Called by the runtime before <c>Main</c>.</summary>
    public static void Initialize()
    {
        var output = Environment.GetEnvironmentVariable(OutputVariable);
        if (!string.IsNullOrEmpty(output))
        {
            s_probe = new TrendProbe(output);
        }

        // Processes the benchmark itself starts must not inherit the hook (they may not be able to load this assembly).
        Environment.SetEnvironmentVariable(OutputVariable, null);
        var hooks = Environment.GetEnvironmentVariable(HooksVariable);
        if (hooks is not null)
        {
            var others = hooks.Split(Path.PathSeparator).Where(h => h != HookName).ToArray();
            Environment.SetEnvironmentVariable(HooksVariable, others.Length == 0 ? null : string.Join(Path.PathSeparator, others));
        }
    }

    /// <summary>The runtime's list of startup hooks.</summary>
    internal const string HooksVariable = "DOTNET_STARTUP_HOOKS";

    /// <summary>How this assembly is named in <see cref="HooksVariable"/>: by simple name, loaded from the application's own dependencies.</summary>
    internal static string HookName => typeof(StartupHook).Assembly.GetName().Name!;

    internal static bool IsListening => s_probe is not null;
}
