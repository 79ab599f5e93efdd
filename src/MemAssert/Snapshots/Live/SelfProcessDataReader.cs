using System.Runtime.InteropServices;
using Microsoft.Diagnostics.Runtime;
using Microsoft.Win32.SafeHandles;

namespace MemoryAssertions;

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
/// Every read goes to the process's memory as it is at that moment. (MemAssert's live snapshot also lets the reader
/// cache the GC heap's ranges in 64 KB blocks while the GC is held still, so a heap walk costs about one system call per
/// block instead of several per object; that cache is not part of the public surface.)
/// </para>
/// <para>
/// Nothing is suspended: other threads keep running while ClrMD reads. Callers that walk the managed heap must keep
/// the GC from moving it for the whole time the runtime object exists (e.g. inside <see cref="GC.TryStartNoGCRegion(long)"/>).
/// Thread contexts are not available (<see cref="GetThreadContext"/> returns <see langword="false"/>), so ClrMD reports
/// no stack roots through this reader; handles and statics are found.
/// </para>
/// </remarks>
public sealed class SelfProcessDataReader : IDataReader, IDisposable
{
    private const int ElfMagic = 0x464C457F; // "\x7FELF", little-endian
    private const int EPERM = 1;
    private const int ENOSYS = 38;
    private const int PageSize = 4096;

    private const int BlockShift = 16;
    private const int BlockSize = 1 << BlockShift;
    private const int MaxCachedRead = 4 * BlockSize;

    private static int s_useProcMem; // 0: process_vm_readv; 1: /proc/self/mem
    private readonly int _processId = Environment.ProcessId;
    private readonly object _cacheLock = new();
    private Mirror[] _mirrors = [];
    private unsafe byte* _mirrorBlock;
    private nuint _mirrorBlockSize;
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
    }

    /// <summary>Frees the block cache if the reader was not disposed.</summary>
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
        foreach (var (path, start) in MappedFiles())
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

    /// <summary>Drops the cached blocks (if a cache was turned on): later reads see the process's memory as it is then.</summary>
    public void FlushCachedData()
    {
        lock (_cacheLock)
        {
            foreach (var mirror in _mirrors)
            {
                mirror.Forget();
            }
        }
    }

    /// <summary>
    /// Serves reads inside these address ranges from a block cache from now on: only for memory that does not change
    /// while the reader is used (the GC heap while a no-GC region holds it still). Never for stacks or runtime data.
    /// </summary>
    internal unsafe void CacheRanges(IEnumerable<(ulong Start, ulong End)> ranges)
    {
        var sorted = ranges.Where(r => r.End > r.Start).OrderBy(r => r.Start).ToArray();
        lock (_cacheLock)
        {
            ReturnMirrors();
            if (sorted.Length == 0)
            {
                return;
            }

            // One block for all ranges, from a pool that keeps the last one for a few seconds: a check takes four
            // snapshots in a row, and memory touched once is not faulted in again.
            var total = sorted.Aggregate(0UL, (sum, r) => sum + (r.End - r.Start));
            _mirrorBlock = MirrorPool.Rent((nuint)total, out _mirrorBlockSize);
            var mirrors = new Mirror[sorted.Length];
            var offset = 0UL;
            for (var i = 0; i < sorted.Length; i++)
            {
                mirrors[i] = new Mirror(sorted[i].Start, sorted[i].End, _mirrorBlock + offset);
                offset += sorted[i].End - sorted[i].Start;
            }

            _mirrors = mirrors;
        }
    }

    /// <summary>Drops the mirrors and gives their memory back to the pool (caller holds the lock).</summary>
    private unsafe void ReturnMirrors()
    {
        _mirrors = [];
        if (_mirrorBlock is not null)
        {
            MirrorPool.Return(_mirrorBlock, _mirrorBlockSize);
            _mirrorBlock = null;
            _mirrorBlockSize = 0;
        }
    }

    /// <summary>The mirror holding [address, address + length), or null (caller holds the lock).</summary>
    private Mirror? MirrorOf(ulong address, int length)
    {
        var mirrors = _mirrors;
        int lo = 0, hi = mirrors.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (address < mirrors[mid].Start)
            {
                hi = mid - 1;
            }
            else if (address >= mirrors[mid].End)
            {
                lo = mid + 1;
            }
            else
            {
                return address + (ulong)length <= mirrors[mid].End ? mirrors[mid] : null;
            }
        }

        return null;
    }

    /// <summary>Releases the block cache and closes <c>/proc/self/mem</c> if it was opened.</summary>
    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

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

        if (buffer.Length > MaxCachedRead)
        {
            return ReadUncached(address, buffer);
        }

        lock (_cacheLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (MirrorOf(address, buffer.Length) is not { } mirror)
            {
                return ReadUncached(address, buffer);
            }

            var total = 0;
            while (total < buffer.Length)
            {
                var at = address + (ulong)total;
                var block = (int)((at - mirror.Start) >> BlockShift);
                var offset = (int)((at - mirror.Start) & (BlockSize - 1));
                var wanted = Math.Min(buffer.Length - total, BlockSize - offset);
                var valid = mirror.Valid[block];
                if (valid < 0)
                {
                    var length = (int)Math.Min(BlockSize, mirror.End - mirror.Start - ((ulong)block << BlockShift));
                    valid = mirror.Valid[block] = Math.Max(0, ReadUncached(mirror.Start + ((ulong)block << BlockShift), mirror.Block(block, length)));
                }

                if (valid - offset < wanted)
                {
                    // The block is readable only in part (a mapping ends inside it): read the rest exactly.
                    return total + Math.Max(0, ReadUncached(at, buffer[total..]));
                }

                mirror.Block(block, valid).Slice(offset, wanted).CopyTo(buffer[total..]);
                total += wanted;
            }

            return total;
        }
    }

    /// <summary>
    /// A copy of one cached range in a slice of the reader's block, filled 64 KB at a time on first read: it costs what
    /// the walk reads, at most the heap's size, once, instead of re-reading blocks that a smaller cache evicted (a
    /// breadth-first walk jumps all over the heap).
    /// </summary>
    private sealed unsafe class Mirror(ulong start, ulong end, byte* data)
    {
        public ulong Start { get; } = start;

        public ulong End { get; } = end;

        /// <summary>Readable bytes of each block, -1 for a block not read yet.</summary>
        public int[] Valid { get; } = NotRead((int)(((end - start) + BlockSize - 1) >> BlockShift));

        public Span<byte> Block(int block, int length) => new(data + ((long)block << BlockShift), length);

        public void Forget() => Array.Fill(Valid, -1);

        private static int[] NotRead(int blocks)
        {
            var valid = new int[blocks];
            Array.Fill(valid, -1);
            return valid;
        }
    }

    /// <summary>
    /// Native memory for mirrors, kept for a few seconds after use. Fresh pages cost a page fault each on first touch,
    /// which on a virtual machine was a fifth of a live snapshot's time at a million objects; the four snapshots of a
    /// check reuse one block. Freed once no snapshot has used it for <see cref="KeepFor"/>.
    /// </summary>
    internal static unsafe class MirrorPool
    {
        private static readonly TimeSpan KeepFor = TimeSpan.FromSeconds(10);
        private static readonly object Gate = new();
        private static byte* s_block;
        private static nuint s_size;
        private static Timer? s_timer;

        /// <summary>For tests: bytes held by the pool now.</summary>
        internal static nuint Held
        {
            get
            {
                lock (Gate)
                {
                    return s_block is null ? 0 : s_size;
                }
            }
        }

        public static byte* Rent(nuint size, out nuint granted)
        {
            lock (Gate)
            {
                if (s_block is not null && s_size >= size)
                {
                    var block = s_block;
                    granted = s_size;
                    s_block = null;
                    return block;
                }

                FreeHeld();
            }

            granted = size;
            return (byte*)NativeMemory.Alloc(size);
        }

        public static void Return(byte* block, nuint size)
        {
            lock (Gate)
            {
                if (s_block is not null && s_size >= size)
                {
                    NativeMemory.Free(block);
                    return;
                }

                FreeHeld();
                s_block = block;
                s_size = size;
                s_timer ??= new Timer(_ => Expire(), null, Timeout.Infinite, Timeout.Infinite);
                s_timer.Change(KeepFor, Timeout.InfiniteTimeSpan);
            }
        }

        /// <summary>For tests and the timer: frees what the pool holds.</summary>
        internal static void Expire()
        {
            lock (Gate)
            {
                FreeHeld();
            }
        }

        private static void FreeHeld()
        {
            if (s_block is not null)
            {
                NativeMemory.Free(s_block);
                s_block = null;
                s_size = 0;
            }
        }
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

    private unsafe void Release()
    {
        lock (_cacheLock)
        {
            _disposed = true;
            ReturnMirrors();

            _procMem?.Dispose();
            _procMem = null;
        }
    }

    /// <summary>Each mapped file of /proc/self/maps with the lowest address it is mapped at.</summary>
    private static List<(string Path, ulong Start)> MappedFiles()
    {
        var starts = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            // address perms offset dev inode [path]
            var span = line.AsSpan();
            var dash = span.IndexOf('-');
            var space = span.IndexOf(' ');
            if (dash <= 0 || space <= dash)
            {
                continue;
            }

            var path = PathOf(span);
            if (path.IsEmpty || path[0] != '/' || path.EndsWith(" (deleted)", StringComparison.Ordinal))
            {
                continue;
            }

            if (!ulong.TryParse(span[..dash], System.Globalization.NumberStyles.HexNumber, null, out var start))
            {
                continue;
            }

            var name = path.ToString();
            if (!starts.TryGetValue(name, out var known))
            {
                order.Add(name);
                starts[name] = start;
            }
            else if (start < known)
            {
                starts[name] = start;
            }
        }

        return order.Select(p => (p, starts[p])).ToList();
    }

    /// <summary>The sixth field (the path), which may itself contain spaces.</summary>
    private static ReadOnlySpan<char> PathOf(ReadOnlySpan<char> line)
    {
        var rest = line;
        for (var field = 0; field < 5; field++)
        {
            rest = rest.TrimStart(' ');
            var end = rest.IndexOf(' ');
            if (end < 0)
            {
                return [];
            }

            rest = rest[end..];
        }

        return rest.TrimStart(' ');
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
