using System.Globalization;
using System.Runtime.InteropServices;

namespace MemoryAssertions.Snapshots;

/// <summary>
/// Removes what processes killed while they held a heap dump left in the temp folder: the private folders of
/// <see cref="PrivateTempDirectory"/> (named exactly <c>memassert-&lt;pid&gt;-&lt;12 hex digits&gt;</c>) whose process is no
/// longer running and which the current user owns. A folder whose pid is running is never touched, whoever runs
/// under that pid now; anything else in the temp folder is never touched. Linux only: elsewhere the owner is not read,
/// and nothing is swept.
/// </summary>
internal static class AbandonedDumps
{
    private const string Start = "memassert-";

    /// <summary>Removes the abandoned folders in <paramref name="temp"/> and returns how many; never throws for a folder it cannot remove.</summary>
    public static int Sweep(string temp)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        string[] candidates;
        try
        {
            candidates = Directory.GetDirectories(temp, Start + "*");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        var removed = 0;
        foreach (var folder in candidates)
        {
            if (PidOf(Path.GetFileName(folder)) is { } pid && pid != Environment.ProcessId && !IsRunning(pid) && IsOwnDirectory(folder))
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                    removed++;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Another process swept it first, or it cannot be removed: left as it is.
                }
            }
        }

        return removed;
    }

    /// <summary>The pid in a name of exactly our pattern, <c>memassert-&lt;pid&gt;-&lt;12 lowercase hex digits&gt;</c>, else null.</summary>
    internal static int? PidOf(string name)
    {
        if (!name.StartsWith(Start, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = name[Start.Length..].Split('-');
        return parts.Length == 2
               && parts[0].Length is > 0 and <= 10
               && parts[0].All(char.IsAsciiDigit)
               && parts[1].Length == 12
               && parts[1].All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f')
               && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
               && pid > 0
            ? pid
            : null;
    }

    /// <summary>Whether a process runs under <paramref name="pid"/>: only "no such process" counts as not running.</summary>
    private static bool IsRunning(int pid) =>
        Native.kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() != Native.NoSuchProcess;

    /// <summary>Whether <paramref name="folder"/> is a directory (not a link to one) owned by the current user.</summary>
    private static unsafe bool IsOwnDirectory(string folder)
    {
        var buffer = stackalloc byte[256];
        var path = System.Text.Encoding.UTF8.GetBytes(folder + "\0");
        try
        {
            fixed (byte* name = path)
            {
                if (Native.statx(Native.CurrentDirectory, name, Native.NoFollow, Native.WantTypeAndUid, buffer) != 0
                    || (*(uint*)buffer & Native.WantTypeAndUid) != Native.WantTypeAndUid)
                {
                    return false;
                }
            }
        }
        catch (EntryPointNotFoundException)
        {
            // A C library without statx (glibc before 2.28): the owner cannot be read, so nothing is swept.
            return false;
        }

        var uid = *(uint*)(buffer + 20);
        var mode = *(ushort*)(buffer + 28);
        return (mode & 0xF000) == 0x4000 && uid == Native.geteuid();
    }

    private static unsafe class Native
    {
        public const int NoSuchProcess = 3; // ESRCH
        public const int CurrentDirectory = -100; // AT_FDCWD
        public const int NoFollow = 0x100; // AT_SYMLINK_NOFOLLOW
        public const uint WantTypeAndUid = 0x1 | 0x8; // STATX_TYPE | STATX_UID; struct statx: stx_uid at 20, stx_mode at 28

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int kill(int pid, int signal);

        [DllImport("libc")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern uint geteuid();

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int statx(int directory, byte* path, int flags, uint mask, byte* buffer);
    }
}
