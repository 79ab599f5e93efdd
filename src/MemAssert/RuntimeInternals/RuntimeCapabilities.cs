using MemoryAssertions.Snapshots;

namespace MemoryAssertions.RuntimeInternals;

/// <summary>
/// The one check of what MemAssert needs from runtime internals on this runtime, and why not where it fails. Everything
/// that reaches into them lives in this folder: the static slots (<see cref="StaticSlots"/>, an internal runtime
/// method), field layouts from method tables (<see cref="ReflectionFieldNames"/>), the DAC that ships beside the runtime
/// (<see cref="ClrRuntimeFactory"/>).
/// </summary>
internal static class RuntimeCapabilities
{
    /// <summary>
    /// Why the live route cannot be taken here, or null when it can: it reads this process's memory on Linux only. Where
    /// the runtime gives no static-field slots (.NET 8), the live walk asks the DAC for the listed statics' values instead
    /// (<see cref="StaticSlots.Listed"/>).
    /// </summary>
    public static string? LiveRouteUnavailableReason
    {
        get
        {
            if (!LiveRoute.IsSupported)
            {
                return "the live route reads this process's memory on Linux only";
            }

            return null;
        }
    }
}
