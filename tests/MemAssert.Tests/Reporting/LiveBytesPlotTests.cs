using System.Globalization;
using System.Xml.Linq;
using MemoryAssertions.Reporting;

namespace MemoryAssertions.Tests.Reporting;

/// <summary>The SVG attached beside the report: the readings as a line, the fitted growth as another, well-formed.</summary>
public sealed class LiveBytesPlotTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void A_leak_plots_every_reading_and_the_fitted_growth_through_the_first_floor()
    {
        long[] live = [10_000, 10_100, 10_200, 10_300, 10_400, 10_500, 10_600, 10_700, 10_800];
        var report = new LeakReport
        {
            Expression = "Cache.Put(<key>, \"a & b\")",
            Outcome = CheckOutcome.Leak,
            LiveBytes = live,
            GrowthPerIteration = 100,
            JudgedFrom = 0,
            Iterations = live.Length - 1,
            Warmup = 3,
        };

        var svg = XDocument.Parse(LiveBytesPlot.Render(report)).Root!;

        var points = svg.Element(Svg + "polyline")!.Attribute("points")!.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(live.Length, points.Length);
        var fitted = svg.Elements(Svg + "line").Single(l => l.Attribute("stroke-dasharray") is not null);

        // A leak that grows by exactly the fitted slope: the fitted line runs through the first and the last reading.
        Assert.Equal(points[0], $"{fitted.Attribute("x1")!.Value},{fitted.Attribute("y1")!.Value}");
        Assert.Equal(points[^1], $"{fitted.Attribute("x2")!.Value},{fitted.Attribute("y2")!.Value}");
        var texts = svg.Elements(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("Cache.Put(<key>, \"a & b\")", texts); // escaped in the file, the same text once parsed
        Assert.Contains(texts, t => t.StartsWith("fitted: 100 B per iteration", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("leak: 8 iterations", StringComparison.Ordinal));
    }

    [Fact]
    public void A_flat_series_says_no_growth_and_its_fitted_line_is_level()
    {
        var report = new LeakReport
        {
            Expression = "Handler.Handle",
            Outcome = CheckOutcome.NoGrowth,
            LiveBytes = [5_000, 5_040, 5_000, 5_020, 5_000, 5_000],
            GrowthPerIteration = 0,
            Iterations = 5,
        };

        var svg = XDocument.Parse(LiveBytesPlot.Render(report)).Root!;

        var fitted = svg.Elements(Svg + "line").Single(l => l.Attribute("stroke-dasharray") is not null);
        Assert.Equal(fitted.Attribute("y1")!.Value, fitted.Attribute("y2")!.Value);
        Assert.Contains(svg.Elements(Svg + "text"), t => t.Value == "fitted: no growth");
        Assert.Equal(double.Parse(fitted.Attribute("y1")!.Value, CultureInfo.InvariantCulture), double.Parse(svg.Element(Svg + "polyline")!.Attribute("points")!.Value.Split(' ')[0].Split(',')[1], CultureInfo.InvariantCulture));
    }
}
