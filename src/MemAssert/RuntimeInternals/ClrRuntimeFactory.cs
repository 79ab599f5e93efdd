using System.Runtime.InteropServices;
using Microsoft.Diagnostics.Runtime;

namespace MemoryAssertions.RuntimeInternals;

/// <summary>
/// Creates the ClrMD runtime for a target that is this very process. The DAC used is the one that ships beside the
/// runtime we run in, so it matches by construction; ClrMD's own version check is skipped because on .NET 10 it reads
/// the runtime version as 0.0 and refuses every DAC (see docs/engine.md).
/// </summary>
internal static class ClrRuntimeFactory
{
    /// <summary>For tests: a DAC path to use instead of the runtime's own (e.g. one that does not exist).</summary>
    internal static string? DacPathOverride { get => s_dacPathOverride.Value; set => s_dacPathOverride.Value = value; }

    private static readonly TestHook<string> s_dacPathOverride = new();

    public static string DacFileName =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "mscordaccore.dll"
        : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "libmscordaccore.dylib"
        : "libmscordaccore.so";

    public static string DacPath =>
        DacPathOverride ?? Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), DacFileName);

    /// <summary>
    /// The options of every <see cref="DataTarget"/> MemAssert opens, on both routes: the runtime's own DAC is loaded by
    /// path, and nothing is ever looked up on a symbol server, downloaded or cached on disk.
    /// </summary>
    public static DataTargetOptions Options() => new()
    {
        SymbolPaths = [],
        FileLocator = NoFiles.Instance,
    };

    /// <summary>
    /// Set once a thread was left inside a call into the shared DAC that did not return (<see cref="Snapshots.LiveRoute"/>
    /// gives up on such a capture). The DAC serialises its calls on one lock per loaded instance, which that thread may
    /// hold for ever: from then on every runtime is created on a private copy of the DAC, an instance of its own.
    /// </summary>
    private static volatile bool s_sharedDacAbandoned;

    /// <summary>A thread was left inside a DAC call: later runtimes must not share that DAC instance.</summary>
    internal static void AbandonSharedDac() => s_sharedDacAbandoned = true;

    /// <summary>For tests: whether later runtimes load a private copy of the DAC.</summary>
    internal static bool SharedDacAbandoned => s_sharedDacAbandoned;

    /// <summary>For tests: runtimes share the DAC again (only where no thread is left inside it).</summary>
    internal static void ResetSharedDac() => s_sharedDacAbandoned = false;

    public static ClrRuntime Create(DataTarget target)
    {
        var dac = DacPath;
        if (!File.Exists(dac))
        {
            throw new SnapshotUnavailableException($"the runtime's data access component ({DacFileName}) was not found at {dac}.");
        }

        if (target.ClrVersions.Length == 0)
        {
            throw new SnapshotUnavailableException("no .NET runtime was found in the snapshot of this process.");
        }

        // Where a loaded library may be deleted (Unix), the copy is deleted as soon as it is loaded. Elsewhere there is no
        // live route, so no thread is ever left inside the DAC.
        if (s_sharedDacAbandoned && !RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            using var folder = Snapshots.PrivateTempDirectory.Create();
            var copy = Path.Combine(folder.Path, DacFileName);
            try
            {
                File.Copy(dac, copy);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new SnapshotUnavailableException($"a thread was left inside the runtime's data access component, and a private copy of it could not be written ({ex.Message.TrimEnd('.')}).", ex);
            }

            return CreateOn(target, copy);
        }

        return CreateOn(target, dac);
    }

    private static ClrRuntime CreateOn(DataTarget target, string dac)
    {
        try
        {
            return target.ClrVersions[0].CreateRuntime(dac, ignoreMismatch: true);
        }
        catch (Exception ex) when (ex is not SnapshotUnavailableException)
        {
            throw new SnapshotUnavailableException($"ClrMD could not load the runtime's data access component: {ex.Message}", ex);
        }
    }

    /// <summary>A file locator that finds nothing: ClrMD's default one asks a symbol server.</summary>
    internal sealed class NoFiles : IFileLocator
    {
        public static readonly NoFiles Instance = new();

        public string? FindPEImage(string fileName, int buildTimeStamp, int imageSize, bool checkProperties) => null;

        public string? FindPEImage(string fileName, SymbolProperties archivedUnder, System.Collections.Immutable.ImmutableArray<byte> buildIdOrUUID, OSPlatform originalPlatform, bool checkProperties) => null;
    }
}
