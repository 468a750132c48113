//! Minimal SVG line charts, written as text (no plotting dependency): a
//! logarithmic x axis, a linear or logarithmic y axis, one polyline per series.

use std::fmt::Write;

pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    /// Dashed (baselines) or solid (Amana).
    pub dashed: bool,
}

pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub log_y: bool,
    pub series: Vec<Series>,
}

const W: f64 = 720.0;
const H: f64 = 420.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 220.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 60.0;
const COLOURS: &[&str] = &["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

fn fmt_num(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", trim(v / 1e6))
    } else if a >= 1e3 {
        format!("{}k", trim(v / 1e3))
    } else {
        trim(v)
    }
}

fn trim(v: f64) -> String {
    let s = if v.abs() >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Ticks for a log axis: powers of ten (and 2, 5 between them when the range is short).
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let mut ticks = Vec::new();
    let (a, b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let dense = b - a <= 2;
    for e in a..=b {
        let base = 10f64.powi(e);
        for m in if dense { &[1.0, 2.0, 5.0][..] } else { &[1.0][..] } {
            let t = base * m;
            if t >= lo * 0.999 && t <= hi * 1.001 {
                ticks.push(t);
            }
        }
    }
    ticks
}

fn lin_ticks(hi: f64) -> Vec<f64> {
    let raw = hi / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| hi / s <= 6.0).unwrap_or(mag * 10.0);
    (0..=((hi / step).ceil() as usize)).map(|i| i as f64 * step).collect()
}

impl Chart {
    pub fn render(&self) -> String {
        let pts: Vec<(f64, f64)> = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().copied())
            .filter(|p| p.0 > 0.0 && p.1.is_finite())
            .collect();
        let mut svg = String::new();
        let _ = writeln!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
        );
        let _ = writeln!(svg, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
        let _ =
            writeln!(svg, r#"<text x="{}" y="22" font-size="15" font-weight="bold">{}</text>"#, LEFT, esc(&self.title));
        if pts.is_empty() {
            let _ = writeln!(svg, r#"<text x="{LEFT}" y="{}">no data</text></svg>"#, H / 2.0);
            return svg;
        }
        let (mut x0, mut x1) = pts.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
        if x0 == x1 {
            x0 /= 2.0;
            x1 *= 2.0;
        }
        let y_pos: Vec<f64> = pts.iter().map(|p| p.1).filter(|y| *y > 0.0).collect();
        let ymax = pts.iter().map(|p| p.1).fold(0.0, f64::max).max(1e-9);
        let (y0, y1) = if self.log_y {
            let lo = y_pos.iter().copied().fold(f64::MAX, f64::min);
            (10f64.powf(lo.log10().floor()), 10f64.powf(ymax.log10().ceil()))
        } else {
            let t = lin_ticks(ymax * 1.05);
            (0.0, *t.last().unwrap_or(&ymax))
        };
        let pw = W - LEFT - RIGHT;
        let ph = H - TOP - BOTTOM;
        let sx = |x: f64| LEFT + (x.log10() - x0.log10()) / (x1.log10() - x0.log10()) * pw;
        let sy = |y: f64| {
            let f = if self.log_y {
                (y.max(y0).log10() - y0.log10()) / (y1.log10() - y0.log10())
            } else {
                (y - y0) / (y1 - y0)
            };
            TOP + ph - f * ph
        };
        // Grid and ticks.
        for t in log_ticks(x0, x1) {
            let x = sx(t);
            let _ = writeln!(svg, r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{:.1}" stroke="#ddd"/>"##, TOP + ph);
            let _ = writeln!(
                svg,
                r#"<text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                TOP + ph + 16.0,
                fmt_num(t)
            );
        }
        let yt = if self.log_y { log_ticks(y0, y1) } else { lin_ticks(y1) };
        for t in yt {
            let y = sy(t);
            let _ =
                writeln!(svg, r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/>"##, LEFT + pw);
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                LEFT - 6.0,
                y + 4.0,
                fmt_num(t)
            );
        }
        let _ = writeln!(svg, r##"<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>"##);
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            LEFT + pw / 2.0,
            H - 18.0,
            esc(&self.x_label)
        );
        let _ = writeln!(
            svg,
            r#"<text transform="translate(18,{:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
            TOP + ph / 2.0,
            esc(&self.y_label)
        );
        // Series and legend.
        for (i, s) in self.series.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            let dash = if s.dashed { r#" stroke-dasharray="6 4""# } else { "" };
            let p: Vec<String> = s
                .points
                .iter()
                .filter(|p| p.0 > 0.0 && p.1.is_finite() && (!self.log_y || p.1 > 0.0))
                .map(|&(x, y)| format!("{:.1},{:.1}", sx(x), sy(y)))
                .collect();
            if !p.is_empty() {
                let _ = writeln!(
                    svg,
                    r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>"#,
                    p.join(" ")
                );
                for xy in &p {
                    let (x, y) = xy.split_once(',').unwrap_or(("0", "0"));
                    let _ = writeln!(svg, r#"<circle cx="{x}" cy="{y}" r="3" fill="{colour}"/>"#);
                }
            }
            let ly = TOP + 10.0 + i as f64 * 20.0;
            let lx = LEFT + pw + 14.0;
            let _ = writeln!(
                svg,
                r#"<line x1="{lx}" y1="{ly}" x2="{}" y2="{ly}" stroke="{colour}" stroke-width="2"{dash}/>"#,
                lx + 24.0
            );
            let _ = writeln!(svg, r#"<text x="{}" y="{}">{}</text>"#, lx + 30.0, ly + 4.0, esc(&s.name));
        }
        svg.push_str("</svg>\n");
        svg
    }
}
