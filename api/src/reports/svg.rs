//! Server-side charts as inline SVG: vertical bar charts whose bar heights are proportional to
//! their values (the tallest bar fills the plot). Every label is escaped.

use std::fmt::Write as _;

use super::escape;

/// Height of the plot area, in SVG units.
pub const PLOT_HEIGHT: f64 = 160.0;
/// Width of one bar's slot.
const SLOT: f64 = 72.0;
/// Narrowest chart, so that its title fits.
const MIN_WIDTH: f64 = 240.0;
/// Space above the plot for the title and values.
const TOP: f64 = 40.0;
/// Space below the plot for the labels.
const BOTTOM: f64 = 36.0;
/// Left margin.
const LEFT: f64 = 12.0;

/// One bar: a label under it and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Shown under the bar.
    pub label: String,
    /// The bar's value (negative values draw as zero).
    pub value: f64,
    /// Shown above the bar (e.g. a formatted amount).
    pub caption: String,
}

impl Bar {
    /// A bar whose caption is its value as a whole number.
    pub fn count(label: impl Into<String>, value: i64) -> Self {
        Self {
            label: label.into(),
            #[allow(clippy::cast_precision_loss)]
            value: value as f64,
            caption: value.to_string(),
        }
    }
}

/// The height of a bar of `value` when the largest is `max` (0 when there is nothing to scale).
pub fn bar_height(value: f64, max: f64) -> f64 {
    if max > 0.0 && value > 0.0 {
        (value / max * PLOT_HEIGHT).min(PLOT_HEIGHT)
    } else {
        0.0
    }
}

/// A titled bar chart; `class` names the bars' colour in the page's CSS.
pub fn bar_chart(title: &str, bars: &[Bar], class: &str) -> String {
    #[allow(clippy::cast_precision_loss)]
    let width = (LEFT * 2.0 + SLOT * bars.len().max(1) as f64).max(MIN_WIDTH);
    let height = TOP + PLOT_HEIGHT + BOTTOM;
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}"><title>{t}</title><text class="title" x="{LEFT}" y="16">{t}</text>"#,
        t = escape(title)
    );
    let base = TOP + PLOT_HEIGHT;
    let _ = write!(
        out,
        r#"<line class="axis" x1="{LEFT}" y1="{base}" x2="{x2}" y2="{base}"/>"#,
        x2 = width - LEFT
    );
    for (i, bar) in bars.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let x = LEFT + SLOT * i as f64 + 8.0;
        let h = bar_height(bar.value, max);
        let y = base - h;
        let mid = x + (SLOT - 16.0) / 2.0;
        let _ = write!(
            out,
            r#"<rect class="bar {class}" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}"><title>{label}: {caption}</title></rect><text class="value" x="{mid:.1}" y="{vy:.1}">{caption}</text><text class="label" x="{mid:.1}" y="{ly:.1}">{label}</text>"#,
            class = escape(class),
            w = SLOT - 16.0,
            label = escape(&bar.label),
            caption = escape(&bar.caption),
            vy = y - 4.0,
            ly = base + 16.0,
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parse the SVG (it must be well-formed XML) and return each bar's (height, label).
    fn bars_of(svg: &str) -> Vec<(f64, String)> {
        let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        let labels: Vec<String> = root
            .children()
            .filter(|n| n.attribute("class") == Some("label"))
            .map(|n| n.text().unwrap_or_default().to_owned())
            .collect();
        let heights: Vec<f64> = root
            .children()
            .filter(|n| n.tag_name().name() == "rect")
            .map(|n| n.attribute("height").unwrap().parse().unwrap())
            .collect();
        heights.into_iter().zip(labels).collect()
    }

    #[test]
    fn bar_heights_are_proportional_and_the_largest_fills_the_plot() {
        let svg = bar_chart(
            "Funnel",
            &[
                Bar::count("clicks", 200),
                Bar::count("leads", 50),
                Bar::count("customers", 10),
                Bar::count("none", 0),
            ],
            "a",
        );
        let bars = bars_of(&svg);
        assert_eq!(
            bars,
            vec![
                (160.0, "clicks".to_owned()),
                (40.0, "leads".to_owned()),
                (8.0, "customers".to_owned()),
                (0.0, "none".to_owned()),
            ]
        );
    }

    #[test]
    fn labels_with_markup_stay_text() {
        let svg = bar_chart(
            "<script>alert(1)</script>",
            &[Bar::count("<b>&\"x\"", 3)],
            "a\"b",
        );
        assert!(!svg.contains("<script>"));
        let bars = bars_of(&svg);
        assert_eq!(bars, vec![(160.0, "<b>&\"x\"".to_owned())]);
    }

    #[test]
    fn an_empty_chart_is_still_well_formed() {
        assert!(bars_of(&bar_chart("Nothing", &[], "a")).is_empty());
        assert_eq!(bar_height(5.0, 0.0), 0.0);
        assert_eq!(bar_height(-5.0, 10.0), 0.0);
    }
}
