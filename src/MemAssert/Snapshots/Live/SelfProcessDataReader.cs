using System.Runtime.InteropServices;
using Microsoft.Diagnostics.Runtime;
using Microsoft.Win32.SafeHandles;

namespace MemoryAssertions.Snapshots;

/// <summary>
/// A ClrMD <see cref="IDataReader"/> over the memory of the current process, for <c>new DataTarget(reader, options)</c>:
/// ClrMD then inspects the running process in place, with no dump file and no debugger attach.
/// </summary>
/// <remarks>
/// <para>
/// Linux only (<see cref="IsSupported"/>): memory is read with <c>process_vm_readv</c> on our own process id, which
/// reports unmapped or unreadable memory as an error instead of faulting (if the call is refused, e.g. by a seccomp
/// profile, <c>/proc/self/mem</c> is used, with the same behaviour). Modules are the ELF images listed in
/// <c>/proc/self/maps</c>, which is how ClrMD finds <c>libcoreclr.so</c> and its runtime information.
/// </para>
/// <para>
/// Every read goes to the process's memory as it is at that moment, except inside the ranges the live route asks to
/// have cached (<see cref="ReadInPlace"/>): those are copied in blocks, each once, while the GC is held still. Memory is
/// never dereferenced directly: another thread's allocation can end a no-GC region and the GC then release heap memory
/// while the walk reads it, which a direct read turns into a fatal access violation (seen with a garbage-churning
/// thread beside a check), and the system call into a short read.
/// </para>
/// <para>
/// Nothing is suspended: other threads keep running while ClrMD reads. Callers that walk the managed heap must keep
/// the GC from moving it for the whole time the runtime object exists (e.g. inside <see cref="GC.TryStartNoGCRegion(long)"/>).
/// A process cannot read its own running threads' registers: <see cref="GetThreadContext"/> gives an all-zero context,
/// in which a stack walk finds no frame, so ClrMD reports no stack roots through this reader; handles and statics are
/// found.
/// </para>
/// </remarks>
internal sealed class SelfProcessDataReader : IDataReader, IDisposable
{
    private const int ElfMagic = 0x464C457F; // "\x7FELF", little-endian
    private const int EPERM = 1;
    private const int ENOSYS = 38;
    private const int PageSize = 4096;

    private static int s_useProcMem; // 0: process_vm_readv; 1: /proc/self/mem
    private readonly int _processId = Environment.ProcessId;
    private readonly object _gate = new();

    /// <summary>Sorted, disjoint ranges read through the block cache (see <see cref="ReadInPlace"/>); replaced, never changed.</summary>
    private volatile (ulong Start, ulong End)[] _inPlace = [];

    /// <summary>Blocks of the ranges in <see cref="_inPlace"/>; used under <see cref="_gate"/>.</summary>
    private readonly BlockCache _blocks;

    private bool _inPlaceStopped;
    private bool _disposed;
    private SafeFileHandle? _procMem;

    /// <summary>Creates a reader over the current process.</summary>
    /// <exception cref="PlatformNotSupportedException">Not on Linux (see <see cref="IsSupported"/>).</exception>
    public SelfProcessDataReader()
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("SelfProcessDataReader reads the current process's memory on Linux only.");
        }

        _blocks = new BlockCache(ReadUncached);
    }

    /// <summary>Closes <c>/proc/self/mem</c> if the reader was not disposed.</summary>
    ~SelfProcessDataReader() => Release();

    /// <summary>Whether this platform is supported: Linux (any architecture ClrMD supports).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <inheritdoc/>
    public string DisplayName => $"self:{_processId}";

    /// <inheritdoc/>
    public bool IsThreadSafe => true;

    /// <inheritdoc/>
    public OSPlatform TargetPlatform => OSPlatform.Linux;

    /// <inheritdoc/>
    public Architecture Architecture => RuntimeInformation.ProcessArchitecture;

    /// <inheritdoc/>
    public int ProcessId => _processId;

    /// <inheritdoc/>
    public int PointerSize => IntPtr.Size;

    /// <summary>The ELF images mapped into this process (executable, runtime, native libraries), one per file.</summary>
    public IEnumerable<ModuleInfo> EnumerateModules()
    {
        var modules = new List<ModuleInfo>();
        foreach (var (path, start) in ProcMaps.MappedFiles())
        {
            if (Read<int>(start) != ElfMagic)
            {
                continue;
            }

            if (ModuleInfo.TryCreate(this, start, path) is { } module)
            {
                modules.Add(module);
            }
        }

        return modules;
    }

    /// <summary>
    /// The registers of this process's own running threads cannot be read: this returns an all-zero context, in which
    /// a stack walk finds no frame, so no stack roots are reported.
    /// </summary>
    /// <remarks>
    /// It does not return <see langword="false"/>: the runtime's data access component (DAC, .NET 10) goes on to walk the
    /// stack from an uninitialised context when the read fails, and crashes the process on the next snapshot or so.
    /// </remarks>
    public bool GetThreadContext(uint threadID, uint contextFlags, Span<byte> context)
    {
        context.Clear();
        return true;
    }

    /// <summary>Nothing to drop: every read sees the process's memory as it is at that moment.</summary>
    public void FlushCachedData()
    {
    }

    /// <summary>
    /// Serves reads inside these address ranges from a cache of blocks from now on, each block copied once with the
    /// system call: only for memory that does not change while the reader is used (the GC heap's allocated ranges while
    /// a no-GC region holds it still), never for stacks or runtime data. Only the parts that <c>/proc/self/maps</c> lists
    /// as readable are cached; anything else is read as before, where unreadable memory reads as nothing. An empty list
    /// turns this off and drops the cache.
    /// </summary>
    internal void ReadInPlace(IEnumerable<(ulong Start, ulong End)> ranges)
    {
        var wanted = ranges.Where(r => r.End > r.Start).OrderBy(r => r.Start).ToArray();
        var inPlace = new List<(ulong Start, ulong End)>();
        if (wanted.Length > 0)
        {
            var readable = ProcMaps.ReadableMappings();
            foreach (var (start, end) in wanted)
            {
                foreach (var (mapStart, mapEnd) in readable)
                {
                    var from = Math.Max(start, mapStart);
                    var to = Math.Min(end, mapEnd);
                    if (from < to && (inPlace.Count == 0 || from >= inPlace[^1].End))
                    {
                        inPlace.Add((from, to));
                    }
                }
            }
        }

        lock (_gate)
        {
            _inPlace = _inPlaceStopped ? [] : [.. inPlace];
            if (_inPlace.Length == 0)
            {
                _blocks.Clear();
            }
        }
    }

    /// <summary>For tests: how many ranges are read in place now.</summary>
    internal int RangesReadInPlace => _inPlace.Length;

    /// <summary>
    /// No more reads from the cache, for good: returns once no read from it is under way. For a caller about to let the
    /// GC run while another thread may still be reading (what it reads after this is the memory as it is then).
    /// </summary>
    internal void StopReadingInPlace()
    {
        lock (_gate)
        {
            _inPlaceStopped = true;
            _inPlace = [];
            _blocks.Clear();
        }
    }

    /// <summary>Whether [address, address + length) lies inside one range read in place.</summary>
    private bool InPlace(ulong address, int length)
    {
        var ranges = _inPlace;
        int lo = 0, hi = ranges.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (address < ranges[mid].Start)
            {
                hi = mid - 1;
            }
            else if (address >= ranges[mid].End)
            {
                lo = mid + 1;
            }
            else
            {
                return address + (ulong)length <= ranges[mid].End;
            }
        }

        return false;
    }

    /// <summary>Closes <c>/proc/self/mem</c> if it was opened.</summary>
    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    /// <summary>For tests: runs at the start of every read, on the reading thread (inside a DAC call when the DAC asked).</summary>
    internal static volatile Action? OnRead;

    /// <summary>
    /// Copies memory at <paramref name="address"/> into <paramref name="buffer"/>. Returns how many bytes were read:
    /// fewer than asked when the range runs into unreadable memory, 0 when its start is unreadable.
    /// </summary>
    public unsafe int Read(ulong address, Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        OnRead?.Invoke();

        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_inPlace.Length > 0)
        {
            lock (_gate)
            {
                if (InPlace(address, buffer.Length))
                {
                    return _blocks.Read(address, buffer);
                }
            }
        }

        return ReadUncached(address, buffer);
    }

    /// <inheritdoc/>
    public unsafe bool Read<T>(ulong address, out T value)
        where T : unmanaged
    {
        T result = default;
        var bytes = new Span<byte>(&result, sizeof(T));
        var ok = Read(address, bytes) == bytes.Length;
        value = ok ? result : default;
        return ok;
    }

    /// <inheritdoc/>
    public T Read<T>(ulong address)
        where T : unmanaged
    {
        Read(address, out T value);
        return value;
    }

    /// <inheritdoc/>
    public bool ReadPointer(ulong address, out ulong value)
    {
        if (IntPtr.Size == 8)
        {
            return Read(address, out value);
        }

        var ok = Read(address, out uint narrow);
        value = narrow;
        return ok;
    }

    /// <inheritdoc/>
    public ulong ReadPointer(ulong address)
    {
        ReadPointer(address, out var value);
        return value;
    }

    /// <summary>Reads without the cache: the readable prefix of the range.</summary>
    private int ReadUncached(ulong address, Span<byte> buffer)
    {
        var read = ReadOnce(address, buffer);
        if (read >= 0)
        {
            return read;
        }

        // The range is not readable as a whole: read page by page to return the readable prefix.
        var total = 0;
        while (total < buffer.Length)
        {
            var at = address + (ulong)total;
            var chunk = (int)Math.Min((ulong)(buffer.Length - total), PageSize - (at % PageSize));
            var got = ReadOnce(at, buffer.Slice(total, chunk));
            if (got <= 0)
            {
                break;
            }

            total += got;
            if (got < chunk)
            {
                break;
            }
        }

        return total;
    }

    private void Release()
    {
        lock (_gate)
        {
            _disposed = true;
            _inPlace = [];
            _blocks.Clear();

            _procMem?.Dispose();
            _procMem = null;
        }
    }

    /// <summary>One read of the whole range: its length, or -1 when any part of it is unreadable.</summary>
    private unsafe int ReadOnce(ulong address, Span<byte> buffer)
    {
        if (Volatile.Read(ref s_useProcMem) == 0)
        {
            fixed (byte* local = buffer)
            {
                var localVec = new IoVec { Base = local, Length = (nuint)buffer.Length };
                var remoteVec = new IoVec { Base = (void*)address, Length = (nuint)buffer.Length };
                var read = (long)Native.process_vm_readv(_processId, &localVec, 1, &remoteVec, 1, 0);
                if (read >= 0)
                {
                    return read > 0 ? (int)read : -1;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno is not (EPERM or ENOSYS))
                {
                    return -1;
                }

                // process_vm_readv is refused here (a seccomp profile, an old kernel): read /proc/self/mem from now on.
                Volatile.Write(ref s_useProcMem, 1);
            }
        }

        return ReadProcMem(address, buffer);
    }

    private int ReadProcMem(ulong address, Span<byte> buffer)
    {
        if (address > long.MaxValue)
        {
            return -1;
        }

        var handle = Volatile.Read(ref _procMem);
        if (handle is null)
        {
            var opened = File.OpenHandle("/proc/self/mem", FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            handle = Interlocked.CompareExchange(ref _procMem, opened, null) ?? opened;
            if (!ReferenceEquals(handle, opened))
            {
                opened.Dispose();
            }
        }

        try
        {
            var read = RandomAccess.Read(handle, buffer, (long)address);
            return read > 0 ? read : -1;
        }
        catch (IOException)
        {
            return -1;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    private static unsafe class Native
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern nint process_vm_readv(int pid, IoVec* localIov, nuint localCount, IoVec* remoteIov, nuint remoteCount, nuint flags);
    }
}
