using MemoryAssertions.RuntimeInternals;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Runtime;

namespace MemoryAssertions.Snapshots;

/// <summary>
/// The dump route: the runtime writes a heap dump of this process (through its diagnostics IPC, which runs
/// createdump) into a private temporary folder; ClrMD reads it. Unless the caller asked to keep it, the file is unlinked
/// as soon as ClrMD has it open (Linux, macOS: an open file stays readable; on Windows it is deleted after reading), and
/// the folder is deleted before this returns, whatever happens. Roots include every managed thread's stack.
/// </summary>
internal static class DumpRoute
{
    /// <summary>Dumps written at most for one snapshot when the heap cannot be walked in them (a GC was running).</summary>
    internal const int Attempts = 3;

    /// <summary>For tests: called with the open target and the private folder once the dump is open, before the walk.</summary>
    internal static Action<DataTarget, string>? WhileReading { get => s_whileReading.Value; set => s_whileReading.Value = value; }

    private static readonly TestHook<Action<DataTarget, string>> s_whileReading = new();

    /// <summary>One dump's walk, the file kept (if asked and done), and why it could not be kept (if asked and not done).</summary>
    public readonly record struct Captured(HeapGraph Graph, string? KeptFile, string? NotKeptReason);

    public static Captured Capture(string? keepIn, CancellationToken cancellationToken)
    {
        // A dump is written wherever the process stands, possibly in the middle of a GC that another thread started:
        // its heap cannot be walked then. The next dump, a moment later, usually can.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return CaptureOnce(keepIn, cancellationToken);
            }
            catch (SnapshotUnavailableException ex) when (ex.IsTransient && attempt < Attempts)
            {
                Thread.Sleep(50 * attempt);
            }
        }
    }

    private static Captured CaptureOnce(string? keepIn, CancellationToken cancellationToken)
    {
        using var folder = PrivateTempDirectory.Create();
        string dump;
        try
        {
            dump = folder.CreatePrivateFile("heap.dmp");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SnapshotUnavailableException($"no heap dump file could be created in the temp folder ({ex.Message.TrimEnd('.')}).", ex);
        }

        WriteDump(dump);
        PrivateTempDirectory.MakeOwnerOnly(dump);
        var graph = Read(dump, unlink: keepIn is null && !OperatingSystem.IsWindows(), folder.Path, cancellationToken);
        string? notKept = null;
        var kept = keepIn is null ? null : Keep(dump, keepIn, out notKept);
        return new Captured(graph, kept, notKept);
    }

    /// <summary>Walks the dump's heap. A failure to read it (ClrMD or the DAC throwing) makes the snapshot unavailable, with the reason.</summary>
    private static HeapGraph Read(string dump, bool unlink, string folder, CancellationToken cancellationToken)
    {
        try
        {
            using var stream = new FileStream(dump, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            if (unlink)
            {
                // Nothing of the heap is left on disk from here on, even if the process is killed while it reads.
                File.Delete(dump);
            }

            using var target = DataTarget.LoadDump(dump, stream, leaveOpen: true, ClrRuntimeFactory.Options());
            using var runtime = ClrRuntimeFactory.Create(target);
            WhileReading?.Invoke(target, folder);
            return HeapWalker.Walk(runtime, WalkStrategy.Dump, cancellationToken);
        }
        catch (Exception ex) when (ex is not (SnapshotUnavailableException or OperationCanceledException or OutOfMemoryException))
        {
            throw new SnapshotUnavailableException($"ClrMD could not read the heap dump of this process ({ex.GetType().Name}: {ex.Message.TrimEnd('.')}).", ex);
        }
    }

    /// <summary>Moves the dump into <paramref name="keepIn"/> (mode 0600) and returns its path, or null with the reason when the folder cannot take it.</summary>
    private static string? Keep(string dump, string keepIn, out string? notKept)
    {
        notKept = null;
        var kept = Path.Combine(keepIn, $"memassert-{Environment.ProcessId}-{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}-{Guid.NewGuid().ToString("N")[..6]}.dmp");
        try
        {
            Directory.CreateDirectory(keepIn);
            File.Move(dump, kept);
            PrivateTempDirectory.MakeOwnerOnly(kept);
            return kept;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Whatever reached the folder goes: a dump is 0600 in a folder of the caller's choosing, or nowhere.
            try
            {
                File.Delete(kept);
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException)
            {
            }

            notKept = $"{keepIn} could not be written ({ex.Message.TrimEnd('.')})";
            return null;
        }
    }

    private static void WriteDump(string path)
    {
        try
        {
            using var quiet = DumpToolOutput.Begin();
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
