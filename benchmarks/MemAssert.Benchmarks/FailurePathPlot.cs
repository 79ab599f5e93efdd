using System.Globalization;
using System.Text;

namespace MemoryAssertions.Benchmarks;

/// <summary>A small SVG line chart, written by hand: failure-path time against live objects (log scale).</summary>
internal static class FailurePathPlot
{
    private const int Width = 700;
    private const int Height = 320;
    private const int Left = 64;
    private const int Right = 270;
    private const int Top = 36;
    private const int Bottom = 48;

    /// <summary>One line: its name, colour, dash pattern and (objects, seconds) points.</summary>
    public sealed record Series(string Name, string Colour, string Dash, IReadOnlyList<(double Objects, double Seconds)> Points);

    public static string Render(string title, IReadOnlyList<Series> series)
    {
        var all = series.SelectMany(s => s.Points).ToArray();
        var xMin = Math.Log10(all.Min(p => p.Objects));
        var xMax = Math.Log10(all.Max(p => p.Objects));
        if (xMax - xMin < 1e-9)
        {
            xMax = xMin + 1;
        }

        var yMax = NiceCeiling(all.Max(p => p.Seconds));
        var plotW = Width - Left - Right;
        var plotH = Height - Top - Bottom;
        double X(double objects) => Left + ((Math.Log10(objects) - xMin) / (xMax - xMin) * plotW);
        double Y(double seconds) => Top + plotH - (seconds / yMax * plotH);

        var svg = new StringBuilder();
        svg.AppendLine(F($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">"));
        svg.AppendLine(F($"  <rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>"));
        svg.AppendLine(F($"  <text x=\"{Left}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{Escape(title)}</text>"));

        // Axes, y grid and ticks.
        for (var i = 0; i <= 4; i++)
        {
            var value = yMax * i / 4;
            var y = Y(value);
            svg.AppendLine(F($"  <line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Left + plotW}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/>"));
            svg.AppendLine(F($"  <text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{value:0.#} s</text>"));
        }

        foreach (var objects in all.Select(p => p.Objects).Distinct().Order())
        {
            var x = X(objects);
            svg.AppendLine(F($"  <line x1=\"{x:0.#}\" y1=\"{Top + plotH}\" x2=\"{x:0.#}\" y2=\"{Top + plotH + 5}\" stroke=\"#333\"/>"));
            svg.AppendLine(F($"  <text x=\"{x:0.#}\" y=\"{Top + plotH + 18}\" text-anchor=\"middle\">{Label(objects)}</text>"));
        }

        svg.AppendLine(F($"  <line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotH}\" stroke=\"#333\"/>"));
        svg.AppendLine(F($"  <line x1=\"{Left}\" y1=\"{Top + plotH}\" x2=\"{Left + plotW}\" y2=\"{Top + plotH}\" stroke=\"#333\"/>"));
        svg.AppendLine(F($"  <text x=\"{Left + (plotW / 2)}\" y=\"{Height - 10}\" text-anchor=\"middle\">live objects on the heap (log scale)</text>"));
        svg.AppendLine(F($"  <text transform=\"translate(16 {Top + (plotH / 2)}) rotate(-90)\" text-anchor=\"middle\">time to the report (median)</text>"));

        // Lines, points, legend.
        var legendY = Top + 10;
        foreach (var s in series)
        {
            if (s.Points.Count == 0)
            {
                var nx = Left + plotW + 14;
                svg.AppendLine(F($"  <text x=\"{nx}\" y=\"{legendY + 4}\" fill=\"#999\">{Escape(s.Name)}: pending (see text)</text>"));
                legendY += 20;
                continue;
            }

            var points = string.Join(' ', s.Points.OrderBy(p => p.Objects).Select(p => F($"{X(p.Objects):0.#},{Y(p.Seconds):0.#}")));
            svg.AppendLine(F($"  <polyline points=\"{points}\" fill=\"none\" stroke=\"{s.Colour}\" stroke-width=\"2\"{(s.Dash.Length > 0 ? $" stroke-dasharray=\"{s.Dash}\"" : "")}/>"));
            foreach (var p in s.Points)
            {
                svg.AppendLine(F($"  <circle cx=\"{X(p.Objects):0.#}\" cy=\"{Y(p.Seconds):0.#}\" r=\"3.5\" fill=\"{s.Colour}\"><title>{Escape(s.Name)}: {Label(p.Objects)} objects, {p.Seconds:0.00} s</title></circle>"));
            }

            var lx = Left + plotW + 14;
            svg.AppendLine(F($"  <line x1=\"{lx}\" y1=\"{legendY}\" x2=\"{lx + 22}\" y2=\"{legendY}\" stroke=\"{s.Colour}\" stroke-width=\"2\"{(s.Dash.Length > 0 ? $" stroke-dasharray=\"{s.Dash}\"" : "")}/>"));
            svg.AppendLine(F($"  <text x=\"{lx + 28}\" y=\"{legendY + 4}\">{Escape(s.Name)}</text>"));
            legendY += 20;
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static double NiceCeiling(double value)
    {
        if (value <= 0)
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1, 2, 2.5, 4, 5, 10 })
        {
            if (step * magnitude >= value * 1.05)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static string Label(double objects) => objects >= 1_000_000
        ? (objects / 1_000_000).ToString("0.#", CultureInfo.InvariantCulture) + "M"
        : (objects / 1_000).ToString("0.#", CultureInfo.InvariantCulture) + "K";

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
