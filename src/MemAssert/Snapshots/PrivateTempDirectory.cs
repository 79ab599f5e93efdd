using System.Runtime.InteropServices;

namespace MemoryAssertions.Snapshots;

/// <summary>
/// A temporary folder only the current user can enter (mode 0700 on Unix), deleted with everything in it on dispose.
/// Files created through <see cref="CreatePrivateFile"/> are mode 0600.
/// </summary>
internal sealed class PrivateTempDirectory : IDisposable
{
    private PrivateTempDirectory(string path) => Path = path;

    public string Path { get; }

    /// <summary>Every folder this process creates starts with this: <c>memassert-&lt;pid&gt;-</c>.</summary>
    public static string Prefix { get; } = $"memassert-{Environment.ProcessId}-";

    /// <summary>
    /// Creates the folder in the temp folder, after sweeping the folders that killed processes left there
    /// (<see cref="AbandonedDumps"/>). Creates nothing else: a temp folder that is missing is not created.
    /// </summary>
    /// <exception cref="SnapshotUnavailableException">The temp folder is missing or not writable; the message says which.</exception>
    public static PrivateTempDirectory Create()
    {
        var temp = System.IO.Path.GetTempPath();
        if (!Directory.Exists(temp))
        {
            throw new SnapshotUnavailableException(
                $"the temp folder {temp} does not exist, and MemAssert creates nothing outside its own private folder in it, so no heap dump can be written.");
        }

        AbandonedDumps.Sweep(temp);
        var path = System.IO.Path.Combine(temp, Prefix + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                Directory.CreateDirectory(path);
            }
            else
            {
                Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SnapshotUnavailableException($"the temp folder {temp} is not writable ({ex.Message.TrimEnd('.')}), so no heap dump can be written.", ex);
        }

        return new PrivateTempDirectory(path);
    }

    /// <summary>Creates an empty file readable and writable by the owner only, and returns its path.</summary>
    public string CreatePrivateFile(string name)
    {
        var file = System.IO.Path.Combine(Path, name);
        CreateOwnerOnlyFile(file);
        return file;
    }

    public static void CreateOwnerOnlyFile(string file)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var _ = new FileStream(file, options);
    }

    public static void MakeOwnerOnly(string file)
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still open (on Windows) is deleted on the next attempt by the finalizer-free retry below.
            RetryDelete();
        }
        catch (UnauthorizedAccessException)
        {
            RetryDelete();
        }
    }

    private void RetryDelete()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
