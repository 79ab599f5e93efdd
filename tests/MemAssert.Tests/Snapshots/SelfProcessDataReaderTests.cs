using System.Runtime.InteropServices;
using Microsoft.Diagnostics.Runtime;
using MemoryAssertions.Snapshots;

namespace MemoryAssertions.Tests.Snapshots;

/// <summary>The public reader over this process's own memory: exact reads, errors (not crashes) on unmapped memory.</summary>
public sealed class SelfProcessDataReaderTests
{
    [Fact]
    public unsafe void Reads_this_processs_memory()
    {
        using var reader = new SelfProcessDataReader();
        long value = 0x1122334455667788;
        Assert.Equal(0x1122334455667788, reader.Read<long>((ulong)&value));
        Assert.True(reader.ReadPointer((ulong)&value, out var pointer));
        Assert.Equal(0x1122334455667788UL, pointer);

        var bytes = new byte[100_000];
        Random.Shared.NextBytes(bytes);
        var copy = new byte[bytes.Length];
        fixed (byte* p = bytes)
        {
            Assert.Equal(bytes.Length, reader.Read((ulong)p, copy));
        }

        Assert.Equal(bytes, copy);
    }

    [Fact]
    public void Unmapped_memory_reads_as_nothing_instead_of_crashing()
    {
        using var reader = new SelfProcessDataReader();
        Assert.Equal(0, reader.Read(16, new byte[8]));
        Assert.False(reader.Read(16, out long _));
        Assert.Equal(0UL, reader.ReadPointer(16));
    }

    [Fact]
    public unsafe void Cached_ranges_are_copied_once_and_unreadable_parts_still_read_as_nothing()
    {
        // The live route reads the held-still heap through a cache of blocks, each copied once with the system call.
        var bytes = new byte[300_000];
        Random.Shared.NextBytes(bytes);
        fixed (byte* p = bytes)
        {
            using var reader = new SelfProcessDataReader();

            // A range that is not mapped at all (the first page) is never cached: it still reads as nothing.
            reader.ReadInPlace([(16UL, 8_192UL), ((ulong)p, (ulong)(p + bytes.Length))]);
            Assert.Equal(1, reader.RangesReadInPlace);
            Assert.Equal(0, reader.Read(16, new byte[8]));

            var copy = new byte[bytes.Length];
            for (var at = 0; at < bytes.Length; at += 1_000)
            {
                var length = Math.Min(1_000, bytes.Length - at);
                Assert.Equal(length, reader.Read((ulong)(p + at), copy.AsSpan(at, length)));
            }

            Assert.Equal(bytes, copy);

            // A copy: what changes after a block was read is not seen until the cache is dropped.
            var before = bytes[123_456];
            bytes[123_456] = (byte)(before + 1);
            Assert.Equal(before, reader.Read<byte>((ulong)(p + 123_456)));

            // A read that runs past the end of the range is read the other way, in full.
            Assert.Equal(2_000, reader.Read((ulong)(p + bytes.Length - 1_000 - 1_000), new byte[2_000]));

            // Stopped for good: later ranges are not cached, and reads see memory as it is.
            reader.StopReadingInPlace();
            reader.ReadInPlace([((ulong)p, (ulong)(p + bytes.Length))]);
            Assert.Equal(0, reader.RangesReadInPlace);
            bytes[123_456] = 7;
            Assert.Equal(7, reader.Read<byte>((ulong)(p + 123_456)));
        }
    }

    [Fact]
    public unsafe void A_cached_range_whose_memory_is_released_meanwhile_reads_as_nothing_instead_of_crashing()
    {
        // What happens to the heap when another thread's allocation ends the no-GC region during a live walk: the GC
        // releases memory the walk is about to read. Read in place, that was a fatal access violation (a check beside a
        // garbage-churning thread crashed its process); through the cache it is a short read.
        WithPages(32, map =>
        {
            new Span<byte>((void*)map, 32 * Page).Fill(7);
            using var reader = new SelfProcessDataReader();
            reader.ReadInPlace([((ulong)map, (ulong)(map + (32 * Page)))]);
            Assert.Equal(1, reader.RangesReadInPlace);
            Assert.Equal(0, Native.mprotect(map, 32 * Page, 0 /* PROT_NONE */));
            Assert.Equal(0, reader.Read((ulong)(map + 100), new byte[64]));
        });
    }

    private const int Page = 4096;

    /// <summary>Runs <paramref name="test"/> on <paramref name="pages"/> fresh readable and writable pages, unmapped afterwards.</summary>
    private static void WithPages(int pages, Action<nint> test)
    {
        var map = Native.mmap(0, pages * Page, 3 /* PROT_READ|PROT_WRITE */, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0);
        Assert.NotEqual(-1, (long)map);
        try
        {
            test(map);
        }
        finally
        {
            _ = Native.munmap(map, pages * Page);
        }
    }

    [Fact]
    public unsafe void A_read_running_into_unreadable_memory_returns_the_readable_prefix()
    {
        // The second page is made unreadable rather than unmapped: an unmapped page can be mapped again at once by
        // another thread of the test host (it was, once, in a full run), and then reads as readable.
        WithPages(2, map =>
        {
            Assert.Equal(0, Native.mprotect(map + Page, Page, 0 /* PROT_NONE */));
            new Span<byte>((void*)map, Page).Fill(7);
            using var reader = new SelfProcessDataReader();
            var buffer = new byte[200];
            Assert.Equal(100, reader.Read((ulong)(map + Page - 100), buffer));
            Assert.All(buffer.Take(100), b => Assert.Equal(7, b));
        });
    }

    [Fact]
    public void Lists_the_runtime_among_its_modules()
    {
        using var reader = new SelfProcessDataReader();
        Assert.Equal(Environment.ProcessId, reader.ProcessId);
        Assert.Equal(OSPlatform.Linux, reader.TargetPlatform);
        Assert.Equal(RuntimeInformation.ProcessArchitecture, reader.Architecture);
        Assert.Equal(IntPtr.Size, reader.PointerSize);
        var modules = reader.EnumerateModules().ToList();
        var coreclr = Assert.Single(modules, m => Path.GetFileName(m.FileName) == "libcoreclr.so");
        Assert.Equal(ModuleKind.Elf, coreclr.Kind);
        Assert.NotEqual(0UL, coreclr.GetExportSymbolAddress("coreclr_initialize"));
    }

    [Fact]
    public void ClrMD_finds_the_running_runtime_through_it()
    {
        using var target = new DataTarget(new SelfProcessDataReader(), new DataTargetOptions { SymbolPaths = [] });
        var clr = Assert.Single(target.ClrVersions);
        Assert.Equal("libcoreclr.so", Path.GetFileName(clr.ModuleInfo.FileName));
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern nint mmap(nint addr, nint length, int prot, int flags, int fd, nint offset);

        [DllImport("libc", SetLastError = true)]
        public static extern int munmap(nint addr, nint length);

        [DllImport("libc", SetLastError = true)]
        public static extern int mprotect(nint addr, nint length, int prot);
    }
}
