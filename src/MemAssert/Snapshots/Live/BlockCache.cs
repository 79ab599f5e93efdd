using System.Runtime.InteropServices;

namespace MemoryAssertions.Snapshots;

/// <summary>Reads memory at an address into a buffer; returns the bytes read (fewer where the memory ends).</summary>
internal delegate int MemoryRead(ulong address, Span<byte> buffer);

/// <summary>
/// Blocks of memory that does not change while the cache is used (the GC heap while a no-GC region holds it still),
/// each read once with <paramref name="read"/> into native memory: at most <see cref="MaxBlocks"/> of
/// <see cref="BlockSize"/> bytes, the oldest reused beyond that. Not thread-safe: its owner locks.
/// </summary>
/// <param name="read">A read that never faults (a short read where memory is unreadable).</param>
internal sealed class BlockCache(MemoryRead read)
{
    /// <summary>Bytes of one cached block.</summary>
    private const int BlockSize = 64 * 1024;

    /// <summary>Blocks cached at most (16 MiB of native memory).</summary>
    private const int MaxBlocks = 256;

    /// <summary>Cached blocks by start address (a multiple of <see cref="BlockSize"/>).</summary>
    private readonly Dictionary<ulong, Block> _blocks = [];

    /// <summary>The cached blocks' start addresses, oldest first.</summary>
    private readonly Queue<ulong> _blockOrder = new();

    /// <summary>A block of the cache: <see cref="Length"/> bytes copied from its start address (fewer than a block where the memory ended).</summary>
    private sealed unsafe class Block(byte* data)
    {
        public byte* Data { get; } = data;

        public int Length { get; set; }
    }

    /// <summary>Copies from the cached blocks that cover the range, loading those not cached yet; stops at a short block.</summary>
    public unsafe int Read(ulong address, Span<byte> buffer)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var at = address + (ulong)done;
            var start = at & ~(ulong)(BlockSize - 1);
            var block = BlockAt(start);
            var offset = (int)(at - start);
            var count = Math.Min(buffer.Length - done, block.Length - offset);
            if (count <= 0)
            {
                break;
            }

            new ReadOnlySpan<byte>(block.Data + offset, count).CopyTo(buffer[done..]);
            done += count;
        }

        return done;
    }

    private unsafe Block BlockAt(ulong start)
    {
        if (_blocks.TryGetValue(start, out var block))
        {
            return block;
        }

        if (_blocks.Count >= MaxBlocks)
        {
            // The oldest block's memory is reused: a walk moves on through the heap.
            block = _blocks[_blockOrder.Peek()];
            _blocks.Remove(_blockOrder.Dequeue());
        }
        else
        {
            block = new Block((byte*)NativeMemory.Alloc(BlockSize));
        }

        block.Length = read(start, new Span<byte>(block.Data, BlockSize));
        _blocks[start] = block;
        _blockOrder.Enqueue(start);
        return block;
    }

    /// <summary>Frees the cache's native memory.</summary>
    public unsafe void Clear()
    {
        foreach (var block in _blocks.Values)
        {
            NativeMemory.Free(block.Data);
        }

        _blocks.Clear();
        _blockOrder.Clear();
    }
}
