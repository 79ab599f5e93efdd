using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace MemoryAssertions.Snapshots;

/// <summary>
/// Keeps createdump's <c>[createdump] …</c> status lines out of the process's stdout while a dump is written (Linux,
/// macOS). createdump is a child of the runtime and inherits file descriptor 1; neither the diagnostics IPC nor
/// <c>logDumpGeneration: false</c> silences it. So for the length of one dump, descriptor 1 is a pipe, and a thread
/// copies what arrives to the real stdout, leaving out createdump's lines; everything else (native writes, other child
/// processes) passes through in order. <see cref="Console"/> writes through a descriptor of its own (a copy of 1 made
/// when it opens stdout), so it is opened first and never goes through the pipe.
/// </summary>
/// <remarks>
/// Set <c>MEMASSERT_DUMP_TOOL_OUTPUT=1</c> to see createdump's lines. On Windows nothing is redirected.
/// Callers write one dump at a time (the heap gate), so descriptor 1 is swapped by one thread only.
/// </remarks>
internal sealed partial class DumpToolOutput : IDisposable
{
    internal const string ShowVariable = "MEMASSERT_DUMP_TOOL_OUTPUT";
    private const string Prefix = "[createdump]";
    private static readonly TimeSpan DrainWait = TimeSpan.FromSeconds(2);

    private readonly int _saved;
    private readonly Thread _forwarder;

    private DumpToolOutput(int saved, int readEnd)
    {
        _saved = saved;
        _forwarder = new Thread(() => Forward(readEnd, saved)) { IsBackground = true, Name = "MemAssert createdump output" };
        _forwarder.Start();
    }

    /// <summary>True when createdump's lines are shown (the environment variable is 1 or true).</summary>
    internal static bool Shown => Environment.GetEnvironmentVariable(ShowVariable) is "1" or "true" or "TRUE" or "True";

    /// <summary>Starts filtering stdout; null when nothing is filtered (Windows, asked to show, or the descriptors could not be set up).</summary>
    public static DumpToolOutput? Begin()
    {
        if (OperatingSystem.IsWindows() || Shown)
        {
            return null;
        }

        // Console opens its own copy of descriptor 1 on first use; opened now, it never writes into the pipe.
        _ = Console.Out;
        _ = Console.Error;

        var fds = new int[2];
        if (Native.pipe(fds) != 0)
        {
            return null;
        }

        var saved = Native.dup(1);
        if (saved < 0 || Native.dup2(fds[1], 1) < 0)
        {
            if (saved >= 0)
            {
                _ = Native.close(saved);
            }

            _ = Native.close(fds[0]);
            _ = Native.close(fds[1]);
            return null;
        }

        _ = Native.close(fds[1]);
        return new DumpToolOutput(saved, fds[0]);
    }

    /// <summary>Puts stdout back and waits (bounded) for the copy to finish.</summary>
    public void Dispose()
    {
        // Descriptor 1 is the real stdout again; the pipe ends once every writer (createdump has exited) is gone, and
        // the forwarder then closes the saved descriptor. A child started meanwhile may hold the pipe longer: the
        // forwarder copies on in the background until it closes.
        // dup2 of an open descriptor onto 1 fails only when interrupted (EINTR): try again.
        for (var attempt = 0; attempt < 5 && Native.dup2(_saved, 1) < 0; attempt++)
        {
        }

        _forwarder.Join(DrainWait);
    }

    private static void Forward(int readEnd, int saved)
    {
        using var input = new FileStream(new SafeFileHandle(readEnd, ownsHandle: true), FileAccess.Read, bufferSize: 1);
        using var output = new FileStream(new SafeFileHandle(saved, ownsHandle: true), FileAccess.Write, bufferSize: 1);
        var line = new List<byte>(256);
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    line.Add(buffer[i]);
                    if (buffer[i] == (byte)'\n')
                    {
                        Emit(line, output);
                    }
                }
            }

            Emit(line, output);
        }
        catch (IOException)
        {
            // stdout closed: nothing more to copy.
        }
    }

    private static void Emit(List<byte> line, FileStream output)
    {
        if (line.Count > 0 && !StartsWithPrefix(line))
        {
            output.Write(line.ToArray());
            output.Flush();
        }

        line.Clear();
    }

    private static bool StartsWithPrefix(List<byte> line)
    {
        var prefix = Encoding.ASCII.GetBytes(Prefix);
        if (line.Count < prefix.Length)
        {
            return false;
        }

        for (var i = 0; i < prefix.Length; i++)
        {
            if (line[i] != prefix[i])
            {
                return false;
            }
        }

        return true;
    }

    private static partial class Native
    {
        [LibraryImport("libc", EntryPoint = "pipe")]
        public static partial int pipe([Out] int[] fds);

        [LibraryImport("libc", EntryPoint = "dup")]
        public static partial int dup(int fd);

        [LibraryImport("libc", EntryPoint = "dup2")]
        public static partial int dup2(int oldFd, int newFd);

        [LibraryImport("libc", EntryPoint = "close")]
        public static partial int close(int fd);
    }
}
