using Microsoft.Diagnostics.Runtime;

namespace MemoryAssertions.Snapshots;

/// <summary>A visited set over the GC heap: one bit per 8-byte slot of every segment, a hash set for anything outside.</summary>
internal sealed class SegmentBitmap
{
    private readonly ulong[] _starts;
    private readonly ulong[] _ends;
    private readonly ulong[][] _bits;
    private readonly HashSet<ulong> _outside = [];

    public SegmentBitmap(ClrHeap heap)
    {
        var ranges = heap.Segments
            .Select(s => s.ObjectRange)
            .Where(r => r.Length > 0)
            .OrderBy(r => r.Start)
            .ToArray();
        _starts = new ulong[ranges.Length];
        _ends = new ulong[ranges.Length];
        _bits = new ulong[ranges.Length][];
        for (var i = 0; i < ranges.Length; i++)
        {
            _starts[i] = ranges[i].Start;
            _ends[i] = ranges[i].End;
            _bits[i] = new ulong[(ranges[i].Length / 8 / 64) + 1];
        }
    }

    /// <summary>Marks <paramref name="address"/>; returns false when it was marked already.</summary>
    public bool Add(ulong address)
    {
        var segment = Find(address);
        if (segment < 0)
        {
            return _outside.Add(address);
        }

        var slot = (address - _starts[segment]) / 8;
        ref var word = ref _bits[segment][slot / 64];
        var mask = 1UL << (int)(slot % 64);
        if ((word & mask) != 0)
        {
            return false;
        }

        word |= mask;
        return true;
    }

    private int Find(ulong address)
    {
        int lo = 0, hi = _starts.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (address < _starts[mid])
            {
                hi = mid - 1;
            }
            else if (address >= _ends[mid])
            {
                lo = mid + 1;
            }
            else
            {
                return mid;
            }
        }

        return -1;
    }
}
