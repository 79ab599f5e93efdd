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
    /// Why the live route cannot be taken here, or null when it can: it reads this process's memory on Linux only, and
    /// needs the runtime's static-field slots without the DAC (the DAC's statics enumeration stopped responding in busy
    /// test hosts).
    /// </summary>
    public static string? LiveRouteUnavailableReason
    {
        get
        {
            if (!LiveRoute.IsSupported)
            {
                return "the live route reads this process's memory on Linux only";
            }

            if (!StaticSlots.IsAvailable)
            {
                return $"this runtime ({Environment.Version}) does not give the addresses of static fields' slots the way the live route needs " +
                       "(an internal runtime method, checked once per process)";
            }

            return null;
        }
    }
}
