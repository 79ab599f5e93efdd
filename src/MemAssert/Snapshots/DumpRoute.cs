using MemoryAssertions.RuntimeInternals;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Runtime;

namespace MemoryAssertions.Snapshots;

/// <summary>
/// The dump route: the runtime writes a heap dump of this process (through its diagnostics IPC, which runs
/// createdump) into a private temporary folder; ClrMD reads it; the file is deleted before this returns, whatever
/// happens, unless the caller asked to keep it. Roots include every managed thread's stack.
/// </summary>
internal static class DumpRoute
{
    /// <summary>Dumps written at most for one snapshot when the heap cannot be walked in them (a GC was running).</summary>
    internal const int Attempts = 3;

    public static HeapGraph Capture(string? keepIn, out string? keptFile, CancellationToken cancellationToken)
    {
        // A dump is written wherever the process stands, possibly in the middle of a GC that another thread started:
        // its heap cannot be walked then. The next dump, a moment later, usually can.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return CaptureOnce(keepIn, out keptFile, cancellationToken);
            }
            catch (SnapshotUnavailableException ex) when (ex.IsTransient && attempt < Attempts)
            {
                Thread.Sleep(50 * attempt);
            }
        }
    }

    private static HeapGraph CaptureOnce(string? keepIn, out string? keptFile, CancellationToken cancellationToken)
    {
        keptFile = null;
        using var folder = PrivateTempDirectory.Create();
        var dump = folder.CreatePrivateFile("heap.dmp");
        WriteDump(dump);
        PrivateTempDirectory.MakeOwnerOnly(dump);

        HeapGraph graph;
        using (var target = DataTarget.LoadDump(dump))
        using (var runtime = ClrRuntimeFactory.Create(target))
        {
            graph = HeapWalker.Walk(runtime, WalkStrategy.Dump, cancellationToken);
        }

        if (keepIn is not null)
        {
            Directory.CreateDirectory(keepIn);
            keptFile = Path.Combine(keepIn, $"memassert-{Environment.ProcessId}-{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}-{Guid.NewGuid().ToString("N")[..6]}.dmp");
            File.Move(dump, keptFile);
            PrivateTempDirectory.MakeOwnerOnly(keptFile);
        }

        return graph;
    }

    private static void WriteDump(string path)
    {
        try
        {
            new DiagnosticsClient(Environment.ProcessId).WriteDump(DumpType.WithHeap, path, logDumpGeneration: false);
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or UnsupportedCommandException or ServerErrorException
                                       or PlatformNotSupportedException or UnauthorizedAccessException or IOException or TimeoutException)
        {
            throw new SnapshotUnavailableException(
                $"the runtime could not write a heap dump of this process ({ex.GetType().Name}: {ex.Message}). " +
                "Diagnostics may be disabled (DOTNET_EnableDiagnostics=0), createdump may be missing, or the temp folder not writable.", ex);
        }

        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            throw new SnapshotUnavailableException("the runtime reported a heap dump but wrote no file.");
        }
    }
}
