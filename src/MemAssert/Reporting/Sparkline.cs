namespace MemoryAssertions.Reporting;

/// <summary>A one-line chart of a series with the block characters ▁▂▃▄▅▆▇█, lowest value to highest.</summary>
internal static class Sparkline
{
    private const string Levels = "▁▂▃▄▅▆▇█";

    /// <summary>
    /// Renders <paramref name="values"/> in at most <paramref name="width"/> characters; a longer series is cut into
    /// equal buckets, each shown by its last value. A flat series renders as a row of ▁.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is less than 1.</exception>
    public static string Render(IReadOnlyList<long> values, int width = 60)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (values.Count == 0)
        {
            return "";
        }

        var count = Math.Min(width, values.Count);
        var points = new long[count];
        for (var b = 0; b < count; b++)
        {
            var end = (int)((long)(b + 1) * values.Count / count) - 1;
            points[b] = values[end];
        }

        var min = points.Min();
        var max = points.Max();
        var chars = new char[count];
        for (var i = 0; i < count; i++)
        {
            var level = max == min ? 0 : (int)Math.Round((double)(points[i] - min) / (max - min) * (Levels.Length - 1));
            chars[i] = Levels[level];
        }

        return new string(chars);
    }
}
