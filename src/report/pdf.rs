//! PDF rendering of a draft, entirely local: the Noto fonts are compiled into
//! the binary and embedded (subset) in every PDF, text is shaped with
//! rustybuzz (Arabic letters joined, lam-alef ligatures), ordered with the
//! Unicode bidirectional algorithm (Arabic right to left, with Latin names
//! and digits inside it left to right), broken into lines greedily on shaped
//! widths and into A4 pages.
//!
//! It never reads a font or anything else from the system, and writes
//! nothing: it returns the bytes.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::Document;
use rustybuzz::{Direction, Face, UnicodeBuffer};
use unicode_bidi::{BidiInfo, Level};

use super::drafts::{Block, Doc};

static SANS_REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
static SANS_BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold.ttf");
static NASKH_REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoNaskhArabic-Regular.ttf");
static NASKH_BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoNaskhArabic-Bold.ttf");

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 62.0;
const MARGIN_TOP: f32 = 64.0;
const MARGIN_BOTTOM: f32 = 70.0;

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
#[error("the PDF could not be made: {0}")]
pub struct PdfError(String);

/// An RGB colour.
type Rgb = (u8, u8, u8);
const INK: Rgb = (20, 20, 20);
const MUTED: Rgb = (90, 90, 90);
const PLACEHOLDER: Rgb = (165, 40, 0);
const WARNING: Rgb = (150, 0, 0);

/// The four faces: Latin and Arabic, regular and bold.
struct Fonts {
    faces: Vec<Face<'static>>,
    pdf: Vec<Font>,
}

impl Fonts {
    fn load() -> Result<Fonts, PdfError> {
        let data = [SANS_REGULAR, SANS_BOLD, NASKH_REGULAR, NASKH_BOLD];
        let faces = data
            .iter()
            .map(|d| Face::from_slice(d, 0).ok_or_else(|| PdfError("a built-in font is damaged".into())))
            .collect::<Result<Vec<_>, _>>()?;
        let pdf = data
            .iter()
            .map(|d| Font::new((*d).into(), 0).ok_or_else(|| PdfError("a built-in font is damaged".into())))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Fonts { faces, pdf })
    }

    /// The face for a character: Arabic script in Naskh, the rest in Sans,
    /// falling back to the other if a face has no glyph for it.
    fn face_for(&self, c: char, bold: bool) -> Option<usize> {
        let (first, second) = if is_arabic(c) { (2, 0) } else { (0, 2) };
        let b = usize::from(bold);
        if self.faces[first].glyph_index(c).is_some() {
            Some(first + b)
        } else if self.faces[second].glyph_index(c).is_some() {
            Some(second + b)
        } else {
            None
        }
    }
}

fn is_arabic(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

/// A run of glyphs placed on a page.
struct Placed {
    x: f32,
    y: f32,
    font: usize,
    size: f32,
    color: Rgb,
    /// Shaped right to left (its glyphs are in visual order, its text
    /// logical); read back by the tests of the visual order.
    #[cfg_attr(not(test), allow(dead_code))]
    rtl: bool,
    text: String,
    glyphs: Vec<KrillaGlyph>,
}

/// A horizontal rule.
struct Rule {
    y: f32,
}

#[derive(Default)]
struct Page {
    runs: Vec<Placed>,
    rules: Vec<Rule>,
}

/// A piece of a paragraph in one style.
#[derive(Clone)]
struct Span {
    text: String,
    bold: bool,
    color: Rgb,
}

struct ParaStyle {
    size: f32,
    indent: f32,
    before: f32,
    after: f32,
    /// The paragraph's direction from its own first letter (text the user
    /// wrote: an English testimony in an Arabic letter reads left to right),
    /// instead of the document's.
    auto: bool,
}

/// Shapes `text` (one font, one direction) into glyphs with advances in em.
fn shape(fonts: &Fonts, font: usize, text: &str, rtl: bool) -> Vec<KrillaGlyph> {
    let face = &fonts.faces[font];
    let upem = face.units_per_em() as f32;
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    buffer.set_direction(if rtl { Direction::RightToLeft } else { Direction::LeftToRight });
    let out = rustybuzz::shape(face, &[], buffer);
    let infos = out.glyph_infos();
    let positions = out.glyph_positions();
    // A cluster's text ends where the next cluster (in logical order) starts.
    let mut starts: Vec<usize> = infos.iter().map(|i| i.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    let mut seen = std::collections::HashSet::new();
    infos
        .iter()
        .zip(positions)
        .map(|(info, pos)| {
            let start = info.cluster as usize;
            let end = starts.iter().copied().find(|&s| s > start).unwrap_or(text.len());
            // The first glyph of a cluster (a letter) carries the cluster's text
            // (the letter and its marks); the others (the marks) carry none, so
            // a PDF reader extracts the word once and in order.
            let (start, end) = if seen.insert(start) { (start, end) } else { (end, end) };
            KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                pos.x_advance as f32 / upem,
                pos.x_offset as f32 / upem,
                pos.y_offset as f32 / upem,
                pos.y_advance as f32 / upem,
                start..end,
                None,
            )
        })
        .collect()
}

/// A stretch of a line in one font, one style and one direction.
struct Segment {
    range: std::ops::Range<usize>,
    font: usize,
    color: Rgb,
    rtl: bool,
    /// Ended by a directional control: the next character starts a new segment.
    closed: bool,
}

/// Characters of bidi class B (paragraph separator) or S (segment separator).
const SEPARATORS: [char; 10] =
    ['\n', '\r', '\t', '\u{000B}', '\u{001C}', '\u{001D}', '\u{001E}', '\u{001F}', '\u{0085}', '\u{2029}'];

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Splits a logical range into segments of one font and style, in logical order.
fn segments(
    fonts: &Fonts,
    text: &str,
    styles: &[(bool, Rgb)],
    range: std::ops::Range<usize>,
    rtl: bool,
) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    let chars: Vec<(usize, char)> = text[range.clone()].char_indices().map(|(i, c)| (i + range.start, c)).collect();
    // Characters of no script (spaces, punctuation, digits) take the font of
    // the letter before them, so a phrase is shaped as one piece.
    let mut fonts_of: Vec<Option<usize>> =
        chars.iter().map(|&(i, c)| if c.is_alphabetic() { fonts.face_for(c, styles[i].0) } else { None }).collect();
    let first = fonts_of.iter().flatten().next().copied();
    let mut last = first;
    for (k, f) in fonts_of.iter_mut().enumerate() {
        match f {
            Some(v) => last = Some(*v),
            None => {
                let (i, c) = chars[k];
                let bold = styles[i].0;
                let inherited = last.map(|l| (l & !1) + usize::from(bold));
                *f = inherited
                    .filter(|&l| fonts.faces[l].glyph_index(c).is_some() || c.is_whitespace())
                    .or_else(|| fonts.face_for(c, bold))
                    .or(inherited)
                    .or(Some(usize::from(bold)));
            }
        }
    }
    for (k, &(i, c)) in chars.iter().enumerate() {
        // Directional isolates and marks order the text; they are not drawn.
        if is_bidi_control(c) {
            if let Some(s) = out.last_mut() {
                s.closed = true;
            }
            continue;
        }
        let font = fonts_of[k].unwrap_or(0);
        let color = styles[i].1;
        match out.last_mut() {
            Some(s) if s.font == font && s.color == color && !s.closed => s.range.end = i + c.len_utf8(),
            _ => out.push(Segment { range: i..i + c.len_utf8(), font, color, rtl, closed: false }),
        }
    }
    out
}

fn width(glyphs: &[KrillaGlyph], size: f32) -> f32 {
    glyphs.iter().map(|g| g.x_advance).sum::<f32>() * size
}

/// Lays out pages from a document.
struct Layout<'f> {
    fonts: &'f Fonts,
    rtl: bool,
    pages: Vec<Page>,
    y: f32,
    /// Whether a full page starts a new one (not for the footer).
    paginate: bool,
}

impl<'f> Layout<'f> {
    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("a layout always has a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = MARGIN_TOP;
    }

    fn space(&mut self, pts: f32) {
        if self.y > MARGIN_TOP {
            self.y += pts;
        }
    }

    fn rule(&mut self) {
        let y = self.y;
        self.page().rules.push(Rule { y });
        self.y += 8.0;
    }

    /// Lays out one paragraph of styled spans.
    fn paragraph(&mut self, spans: &[Span], style: &ParaStyle) {
        // A block is one paragraph: line, paragraph and segment separators the
        // user typed (which would start a new bidi paragraph or reset levels
        // mid-line, UAX #9 P1 and L1) become spaces.
        let cleaned: Vec<String> = spans.iter().map(|s| s.text.replace(SEPARATORS, " ")).collect();
        let text: String = cleaned.concat();
        if text.trim().is_empty() {
            return;
        }
        let mut styles = Vec::with_capacity(text.len());
        for (s, clean) in spans.iter().zip(&cleaned) {
            styles.extend(std::iter::repeat_n((s.bold, s.color), clean.len()));
        }
        let base = if self.rtl { Level::rtl() } else { Level::ltr() };
        let has_strong = text.chars().any(|c| c.is_alphabetic());
        let bidi = BidiInfo::new(&text, if style.auto && has_strong { None } else { Some(base) });
        let Some(para) = bidi.paragraphs.first() else { return };
        let rtl_para = para.level.is_rtl();
        let max = PAGE_W - 2.0 * MARGIN_X - style.indent;
        let size = style.size;

        // Words (break opportunities at spaces), measured in logical order.
        let mut words: Vec<(usize, usize)> = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices() {
            match (c == ' ', start) {
                (true, Some(s)) => {
                    words.push((s, i));
                    start = None;
                }
                (false, None) => start = Some(i),
                _ => {}
            }
        }
        if let Some(s) = start {
            words.push((s, text.len()));
        }
        let measure = |r: std::ops::Range<usize>| -> f32 {
            segments(self.fonts, &text, &styles, r, false)
                .iter()
                .map(|s| width(&shape(self.fonts, s.font, &text[s.range.clone()], is_rtl(&bidi, s.range.start)), size))
                .sum()
        };
        let space = width(&shape(self.fonts, 0, " ", false), size);
        let mut lines: Vec<(usize, usize)> = Vec::new();
        let mut current: Option<(usize, usize, f32)> = None;
        for &(ws, we) in &words {
            let w = measure(ws..we);
            current = match current {
                Some((ls, _, lw)) if lw + space + w <= max => Some((ls, we, lw + space + w)),
                Some((ls, le, _)) => {
                    lines.push((ls, le));
                    Some((ws, we, w))
                }
                None => Some((ws, we, w)),
            };
            // A word wider than the line (a long reference) is cut by characters.
            if let Some((ls, le, lw)) = current {
                if lw > max && ls == ws {
                    let mut cut = ws;
                    let mut acc = 0.0;
                    for (i, c) in text[ws..we].char_indices() {
                        let cw = measure(ws + i..ws + i + c.len_utf8());
                        if acc + cw > max && ws + i > cut {
                            lines.push((cut, ws + i));
                            cut = ws + i;
                            acc = 0.0;
                        }
                        acc += cw;
                    }
                    current = Some((cut, le, acc));
                }
            }
        }
        if let Some((ls, le, _)) = current {
            lines.push((ls, le));
        }

        let line_height = size * 1.55;
        self.space(style.before);
        for (ls, le) in lines {
            if self.paginate && self.y + line_height > PAGE_H - MARGIN_BOTTOM {
                self.new_page();
            }
            let baseline = self.y + size;
            let (levels, runs) = bidi.visual_runs(para, ls..le);
            let mut placed: Vec<(Segment, Vec<KrillaGlyph>)> = Vec::new();
            for run in runs {
                let rtl = levels[run.start].is_rtl();
                let mut segs = segments(self.fonts, &text, &styles, run, rtl);
                if rtl {
                    segs.reverse();
                }
                for s in segs {
                    let glyphs = shape(self.fonts, s.font, &text[s.range.clone()], s.rtl);
                    placed.push((s, glyphs));
                }
            }
            let line_width: f32 = placed.iter().map(|(_, g)| width(g, size)).sum();
            let mut x = if rtl_para { PAGE_W - MARGIN_X - style.indent - line_width } else { MARGIN_X + style.indent };
            for (s, glyphs) in placed {
                let w = width(&glyphs, size);
                let run = Placed {
                    x,
                    y: baseline,
                    font: s.font,
                    size,
                    color: s.color,
                    rtl: s.rtl,
                    text: text[s.range.clone()].to_string(),
                    glyphs,
                };
                self.page().runs.push(run);
                x += w;
            }
            self.y += line_height;
        }
        self.y += style.after;
    }

    /// Keeps a heading with the line after it.
    fn keep_room(&mut self, pts: f32) {
        if self.y + pts > PAGE_H - MARGIN_BOTTOM {
            self.new_page();
        }
    }
}

fn is_rtl(bidi: &BidiInfo<'_>, at: usize) -> bool {
    bidi.levels.get(at).is_some_and(|l| l.is_rtl())
}

fn span(text: impl Into<String>, bold: bool, color: Rgb) -> Span {
    Span { text: text.into(), bold, color }
}

/// Renders a draft to PDF bytes.
pub fn render(doc: &Doc) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::load()?;
    let mut l =
        Layout { fonts: &fonts, rtl: doc.lang.rtl(), pages: vec![Page::default()], y: MARGIN_TOP, paginate: true };
    let body = ParaStyle { size: 10.5, indent: 0.0, before: 0.0, after: 4.0, auto: false };
    for block in &doc.blocks {
        match block {
            Block::Title(t) => {
                l.paragraph(
                    &[span(t, true, INK)],
                    &ParaStyle { size: 17.0, indent: 0.0, before: 0.0, after: 2.0, auto: false },
                );
                l.rule();
            }
            Block::Notice(t) => l.paragraph(
                &[span(t, true, WARNING)],
                &ParaStyle { size: 8.5, indent: 0.0, before: 0.0, after: 10.0, auto: false },
            ),
            Block::Meta(label, value) => {
                l.paragraph(
                    &[span(format!("{label}: "), true, MUTED), span(value, false, MUTED)],
                    &ParaStyle { size: 9.5, indent: 0.0, before: 0.0, after: 1.0, auto: false },
                );
            }
            Block::Heading(t) => {
                l.keep_room(60.0);
                l.paragraph(
                    &[span(t, true, INK)],
                    &ParaStyle { size: 12.5, indent: 0.0, before: 12.0, after: 4.0, auto: false },
                );
            }
            Block::Para(t) => l.paragraph(&[span(t, false, INK)], &ParaStyle { auto: true, ..body }),
            Block::Field(label, value) => {
                l.paragraph(&[span(format!("{label}: "), true, INK), span(value, false, INK)], &body);
            }
            Block::Bullet(t) => {
                l.paragraph(&[span(format!("• {t}"), false, INK)], &ParaStyle { indent: 12.0, ..body });
            }
            Block::Quote(t) => {
                l.paragraph(
                    &[span(t, false, MUTED)],
                    &ParaStyle { size: 10.0, indent: 24.0, before: 0.0, after: 6.0, auto: true },
                );
            }
            Block::Placeholder(t) => {
                l.paragraph(
                    &[span(t, true, PLACEHOLDER)],
                    &ParaStyle { indent: 12.0, before: 2.0, after: 6.0, ..body },
                );
            }
        }
    }
    let total = l.pages.len();
    // Footer: the draft warning and the page number, on every page.
    for n in 0..total {
        let footer = format!("{} · \u{2066}{} / {}\u{2069}", doc.footer, n + 1, total);
        let mut fl = Layout {
            fonts: &fonts,
            rtl: doc.lang.rtl(),
            pages: vec![Page::default()],
            y: PAGE_H - 48.0,
            paginate: false,
        };
        fl.paragraph(
            &[span(footer, false, MUTED)],
            &ParaStyle { size: 8.0, indent: 0.0, before: 0.0, after: 0.0, auto: false },
        );
        let runs = std::mem::take(&mut fl.pages[0].runs);
        l.pages[n].runs.extend(runs);
    }

    let mut document = Document::new();
    for p in &l.pages {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| PdfError("bad page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for r in &p.rules {
            let mut pb = PathBuilder::new();
            pb.move_to(MARGIN_X, r.y);
            pb.line_to(PAGE_W - MARGIN_X, r.y);
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: rgb::Color::new(150, 150, 150).into(),
                    width: 0.7,
                    ..Default::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        for r in &p.runs {
            surface.set_fill(Some(Fill {
                paint: rgb::Color::new(r.color.0, r.color.1, r.color.2).into(),
                opacity: NormalizedF32::ONE,
                rule: Default::default(),
            }));
            surface.draw_glyphs(Point::from_xy(r.x, r.y), &r.glyphs, fonts.pdf[r.font].clone(), &r.text, r.size, false);
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError(format!("{e:?}")))
}

#[cfg(test)]
mod tests;
