using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text;

namespace MemoryAssertions.BenchmarkDotNet.InProcess;

/// <summary>
/// Runs inside the benchmark process. Listens to BenchmarkDotNet's engine events and, each time an actual workload
/// iteration stops (after the clock has been read, before the iteration clean-up), collects the heap fully and records
/// the live bytes and the operations of that iteration.
/// </summary>
/// <remarks>
/// An in-process <see cref="EventListener"/> is called synchronously on the thread that writes the event, so the
/// collections happen on the engine's thread between the end of one measured interval and the start of the next.
/// This type must not touch BenchmarkDotNet types: in the benchmark process it is loaded by a startup hook before
/// BenchmarkDotNet itself.
/// </remarks>
internal sealed class TrendProbe : EventListener
{
    // BenchmarkDotNet.Engines.EngineEventSource (0.15.x): the source name and the event ids it writes.
    internal const string EngineSourceName = "BenchmarkDotNet.EngineEventSource";
    private const int BenchmarkStopEventId = 2;
    private const int WorkloadActualStopEventId = 16;

    private readonly object _gate = new();
    private readonly string? _outputPath;

    // Allocated up front and grown rarely, so that recording a reading does not itself grow the heap being measured.
    private long[] _operations = new long[512];
    private long[] _liveBytes = new long[512];
    private int _count;

    /// <summary>Starts listening. With <paramref name="outputPath"/>, the readings are written there when the benchmark stops.</summary>
    public TrendProbe(string? outputPath)
    {
        _outputPath = outputPath;

        // EventSources that existed before this listener are announced by the base constructor, before this field was
        // set; enable them now.
        foreach (var source in EventSource.GetSources())
        {
            if (source.Name == EngineSourceName)
            {
                EnableEvents(source, EventLevel.Informational);
            }
        }
    }

    /// <summary>The readings so far: operations in the iteration and live bytes after it, in order.</summary>
    public TrendReading[] Readings
    {
        get
        {
            lock (_gate)
            {
                var result = new TrendReading[_count];
                for (var i = 0; i < _count; i++)
                {
                    result[i] = new TrendReading(_operations[i], _liveBytes[i]);
                }

                return result;
            }
        }
    }

    /// <summary>The live heap as <c>MemAssert.NoLeak</c> reads it (<see cref="GrowthAnalysis.ReadLiveHeap"/>).</summary>
    internal static long Settle() => GrowthAnalysis.ReadLiveHeap();

    /// <summary>Writes readings as text, one <c>operations liveBytes</c> pair per line.</summary>
    internal static string Format(IEnumerable<TrendReading> readings)
    {
        var text = new StringBuilder();
        foreach (var reading in readings)
        {
            text.Append(reading.Operations.ToString(CultureInfo.InvariantCulture))
                .Append(' ')
                .Append(reading.LiveBytes.ToString(CultureInfo.InvariantCulture))
                .Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Reads what <see cref="Format"/> wrote; lines that do not parse are skipped.</summary>
    internal static TrendReading[] Parse(string text)
    {
        var readings = new List<TrendReading>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2
                && long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var operations)
                && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var live))
            {
                readings.Add(new TrendReading(operations, live));
            }
        }

        return [.. readings];
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == EngineSourceName)
        {
            EnableEvents(eventSource, EventLevel.Informational);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventSource.Name != EngineSourceName)
        {
            return;
        }

        switch (eventData.EventId)
        {
            case WorkloadActualStopEventId:
                var operations = eventData.Payload is [long ops, ..] ? ops : 0;
                Record(operations);
                break;
            case BenchmarkStopEventId:
                Write();
                break;
        }
    }

    private void Record(long operations)
    {
        var live = Settle();
        lock (_gate)
        {
            if (_count == _liveBytes.Length)
            {
                Array.Resize(ref _operations, _count * 2);
                Array.Resize(ref _liveBytes, _count * 2);
            }

            _operations[_count] = operations;
            _liveBytes[_count] = live;
            _count++;
        }
    }

    private void Write()
    {
        if (_outputPath is null)
        {
            return;
        }

        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(_outputPath, options);
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            writer.Write(Format(Readings));
        }
        catch (IOException)
        {
            // The host reports the missing readings as "?"; a benchmark must not fail because of its diagnoser.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>One workload iteration: how many operations it ran and the live heap after it.</summary>
internal readonly record struct TrendReading(long Operations, long LiveBytes);
