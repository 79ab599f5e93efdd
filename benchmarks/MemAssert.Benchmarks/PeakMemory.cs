using System.Globalization;
using System.Runtime.InteropServices;

namespace MemoryAssertions.Benchmarks;

/// <summary>
/// Peak resident memory on Linux. The kernel keeps a high-water mark per process (VmHWM in /proc/PID/status); writing
/// "5" to /proc/self/clear_refs resets it to the current resident size, so a reset before an operation and a read after
/// it give the peak during the operation. Child processes (createdump, dotnet-gcdump) are covered by getrusage(RUSAGE_CHILDREN),
/// whose ru_maxrss is the largest resident size of any waited-for descendant.
/// </summary>
internal static partial class PeakMemory
{
    public static bool Reset()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>VmHWM of <paramref name="pid"/> (default: this process) in bytes, or -1.</summary>
    public static long HighWaterMark(int pid = 0) => ReadStatus(pid == 0 ? "self" : pid.ToString(CultureInfo.InvariantCulture), "VmHWM:");

    /// <summary>VmRSS of <paramref name="pid"/> (default: this process) in bytes, or -1.</summary>
    public static long Resident(int pid = 0) => ReadStatus(pid == 0 ? "self" : pid.ToString(CultureInfo.InvariantCulture), "VmRSS:");

    /// <summary>The largest resident size of any child process waited for so far, in bytes.</summary>
    public static long ChildrenMaxResident()
    {
        var usage = new RUsage();
        return GetRUsage(-1 /* RUSAGE_CHILDREN */, ref usage) == 0 ? usage.MaxRss * 1024 : -1;
    }

    private static long ReadStatus(string pid, string key)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    var kb = line[key.Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return -1;
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRUsage(int who, ref RUsage usage);

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UtimeSec;
        public long UtimeUsec;
        public long StimeSec;
        public long StimeUsec;
        public long MaxRss;
        public long IxRss;
        public long IdRss;
        public long IsRss;
        public long MinFlt;
        public long MajFlt;
        public long NSwap;
        public long InBlock;
        public long OuBlock;
        public long MsgSnd;
        public long MsgRcv;
        public long NSignals;
        public long NVcsw;
        public long NIvcsw;
    }
}
