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

    public static PrivateTempDirectory Create()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), Prefix + Guid.NewGuid().ToString("N")[..12]);
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
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
