using System.Globalization;
using System.Text;

namespace MemoryAssertions.Reporting;

/// <summary>
/// The live heap after warm-up and after each iteration as an SVG plot, with the fitted growth of the judged iterations
/// as a line. Holds the expression, sizes and counts only (no object contents), like the report.
/// </summary>
internal static class LiveBytesPlot
{
    private const int Width = 720;
    private const int Height = 300;
    private const int Left = 80;
    private const int Right = 20;
    private const int Top = 44;
    private const int Bottom = 40;

    public static string Render(LeakReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var values = report.LiveBytes;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"18\" font-size=\"14\">{Escape(Shorten(report.Expression, 80))}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"34\" fill=\"#555\">{Escape(Subtitle(report))}</text>\n");
        if (values.Count < 2)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Top + 20}\">no readings</text>\n</svg>\n");
            return svg.ToString();
        }

        var min = values.Min();
        var max = values.Max();
        if (max == min)
        {
            max = min + 1;
        }

        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(double i) => Left + (i / (values.Count - 1)) * plotWidth;
        double Y(double bytes) => Top + plotHeight - ((bytes - min) / (max - min) * plotHeight);

        // Axes with the lowest and highest reading, the first and last iteration.
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotHeight}\" stroke=\"#999\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top + plotHeight}\" x2=\"{Left + plotWidth}\" y2=\"{Top + plotHeight}\" stroke=\"#999\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{Y(max) + 4:F1}\" text-anchor=\"end\">{Escape(ReportBuilder.Size(max))}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{Y(min) + 4:F1}\" text-anchor=\"end\">{Escape(ReportBuilder.Size(min))}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Height - 20}\">warm-up</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotWidth}\" y=\"{Height - 20}\" text-anchor=\"end\">iteration {values.Count - 1}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + (plotWidth / 2)}\" y=\"{Height - 6}\" text-anchor=\"middle\" fill=\"#555\">live bytes after a full GC, per iteration</text>\n");

        // The readings.
        svg.Append("<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"1.5\" points=\"");
        for (var i = 0; i < values.Count; i++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"{X(i):F1},{Y(values[i]):F1} ");
        }

        svg.Append("\"/>\n");

        // The fitted growth over the judged iterations: the slope of the floor, through the lowest judged reading of
        // the first quarter (the floor the growth rule starts from).
        var from = Math.Clamp(report.JudgedFrom, 0, values.Count - 1);
        var judged = values.Count - from;
        if (judged >= 2)
        {
            var firstQuarter = Math.Max(1, judged / 4);
            var floorAt = from;
            for (var i = from; i < from + firstQuarter; i++)
            {
                if (values[i] < values[floorAt])
                {
                    floorAt = i;
                }
            }

            var slope = report.GrowthPerIteration;
            double Fit(int i) => values[floorAt] + (slope * (i - floorAt));
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{X(from):F1}\" y1=\"{Y(Fit(from)):F1}\" x2=\"{X(values.Count - 1):F1}\" y2=\"{Y(Fit(values.Count - 1)):F1}\" stroke=\"#d0402b\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotWidth}\" y=\"{Top - 2}\" text-anchor=\"end\" fill=\"#d0402b\">fitted: {Escape(slope <= 0 ? "no growth" : ReportBuilder.Bytes(slope) + " per iteration")}</text>\n");
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Subtitle(LeakReport report) =>
        (report.IsLeak ? "leak" : "no leak") + ": " + report.Iterations.ToString(CultureInfo.InvariantCulture) + " iterations, warm-up " +
        report.Warmup.ToString(CultureInfo.InvariantCulture);

    private static string Shorten(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
}
