using System.Reflection;

namespace MemoryAssertions.Adapters;

/// <summary>
/// The leak-check settings of one attribute (a test's <c>[NoGrowth]</c>, a class's or an assembly's
/// <see cref="MemAssertDefaultsAttribute"/>): only what was set on it, so that a test's settings override its class's,
/// which override its assembly's, which override <see cref="LeakOptions.Default"/>. The one place where attribute
/// properties become <see cref="LeakOptions"/>, for every adapter.
/// </summary>
internal sealed class TestSettings
{
    public int? Iterations { get; set; }

    public int? Warmup { get; set; }

    public int? MaxIterations { get; set; }

    public long? MaxGrowthPerIteration { get; set; }

    public string[]? Ignore { get; set; }

    public GroupBy? GroupBy { get; set; }

    public int? MaxRetentionPaths { get; set; }

    public string? KeepSnapshotsIn { get; set; }

    public SnapshotRoute? Snapshots { get; set; }

    public int? IterationTimeoutSeconds { get; set; }

    public bool? AttachReportOnPass { get; set; }

    /// <summary>
    /// The options of a test: its own settings over its class's <see cref="MemAssertDefaultsAttribute"/> (and those of
    /// the classes it is nested in, inner first), over its assembly's, over <see cref="LeakOptions.Default"/>.
    /// </summary>
    public static Resolved For(MethodInfo? method, TestSettings? test)
    {
        var layers = new List<TestSettings>();
        if (test is not null)
        {
            layers.Add(test);
        }

        for (var type = method?.ReflectedType ?? method?.DeclaringType; type is not null; type = type.DeclaringType)
        {
            if (type.GetCustomAttribute<MemAssertDefaultsAttribute>(inherit: true) is { } onClass)
            {
                layers.Add(onClass.Settings);
            }
        }

        if ((method?.ReflectedType ?? method?.DeclaringType)?.Assembly.GetCustomAttribute<MemAssertDefaultsAttribute>() is { } onAssembly)
        {
            layers.Add(onAssembly.Settings);
        }

        T? First<T>(Func<TestSettings, T?> pick)
            where T : struct
        {
            foreach (var layer in layers)
            {
                if (pick(layer) is { } value)
                {
                    return value;
                }
            }

            return null;
        }

        TRef? FirstRef<TRef>(Func<TestSettings, TRef?> pick)
            where TRef : class
        {
            foreach (var layer in layers)
            {
                if (pick(layer) is { } value)
                {
                    return value;
                }
            }

            return null;
        }

        var defaults = LeakOptions.Default;
        var timeout = First(s => s.IterationTimeoutSeconds);
        var options = new LeakOptions
        {
            Iterations = First(s => s.Iterations) ?? defaults.Iterations,
            Warmup = First(s => s.Warmup) ?? defaults.Warmup,
            MaxIterations = First(s => s.MaxIterations) ?? defaults.MaxIterations,
            MaxGrowthPerIteration = First(s => s.MaxGrowthPerIteration) ?? defaults.MaxGrowthPerIteration,
            Ignore = [.. FirstRef(s => s.Ignore) ?? [.. defaults.Ignore]],
            GroupBy = First(s => s.GroupBy) ?? defaults.GroupBy,
            MaxRetentionPaths = First(s => s.MaxRetentionPaths) ?? defaults.MaxRetentionPaths,
            KeepSnapshotsIn = FirstRef(s => s.KeepSnapshotsIn) ?? defaults.KeepSnapshotsIn,
            Snapshots = First(s => s.Snapshots) ?? defaults.Snapshots,
            IterationTimeout = timeout is null ? defaults.IterationTimeout : timeout.Value <= 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(timeout.Value),
        };
        return new Resolved(options, First(s => s.AttachReportOnPass) ?? false);
    }

    /// <summary>A test's options, and whether its report is attached when it passes too.</summary>
    public readonly record struct Resolved(LeakOptions Options, bool AttachReportOnPass);
}
