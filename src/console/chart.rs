//! The overview's time-series charts, drawn as SVG on the server with `plotters` (no script, no
//! external request): requests, blocked, redacted and errors per UTC day, cost per day, or one
//! line per key, model, policy or entity type.

use plotters::prelude::*;

use super::data::Counts;

/// Reads one series' value from a day's counts.
type Pick = fn(&Counts) -> u64;

/// Requests, blocked, redacted and errors per day, over `days` (in order).
pub fn daily(days: &[(String, Counts)]) -> String {
    let names: Vec<String> = days.iter().map(|(d, _)| d.clone()).collect();
    let pick: [(&str, Pick); 4] = [
        ("requests", |c| c.requests),
        ("blocked", |c| c.blocked),
        ("redacted", |c| c.redacted),
        ("errors", |c| c.errors),
    ];
    let series: Vec<(String, Vec<f64>)> = pick
        .iter()
        .map(|(name, value)| {
            let v = days.iter().map(|(_, c)| value(c) as f64).collect();
            (name.to_string(), v)
        })
        .collect();
    lines(&names, &series, "requests")
}

/// Line colours, cycled: requests blue, blocked red, redacted orange, errors purple first.
const PALETTE: [RGBColor; 8] = [
    RGBColor(52, 101, 164),
    RGBColor(204, 0, 0),
    RGBColor(245, 121, 0),
    RGBColor(117, 80, 123),
    RGBColor(78, 154, 6),
    RGBColor(193, 125, 17),
    RGBColor(6, 152, 154),
    RGBColor(85, 87, 83),
];

/// An SVG line chart with one line per `(name, value per day)`, over `days` (in order).
pub fn lines(days: &[String], series: &[(String, Vec<f64>)], y_desc: &str) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (880, 280)).into_drawing_area();
        let _ = draw_lines(&root, days, series, y_desc);
        let _ = root.present();
    }
    svg
}

fn draw_lines<'a>(
    root: &'a DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    days: &[String],
    series: &[(String, Vec<f64>)],
    y_desc: &str,
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    root.fill(&WHITE)?;
    let max = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(0.0f64, f64::max);
    let top = if max > 0.0 { max * 1.1 } else { 1.0 };
    let n = days.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(0usize..n.saturating_sub(1).max(1), 0f64..top)?;
    let label = |i: &usize| days.get(*i).map(|d| d[5..].to_string()).unwrap_or_default();
    chart
        .configure_mesh()
        .x_labels(n.min(14))
        .x_label_formatter(&label)
        .y_desc(y_desc)
        .draw()?;
    for (i, (name, values)) in series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let points: Vec<(usize, f64)> = values.iter().copied().enumerate().collect();
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)).point_size(3))?
            .label(name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .draw()?;
    Ok(())
}
