//! The visual order of laid-out lines (UAX #9 with isolates, mirrored
//! brackets, per-line reordering after line breaking), read back from the
//! glyphs the layout places: each line as the characters drawn from left to
//! right on the page, a bracket as the shape its glyph has.

use super::*;

/// The shape a glyph drawn for `c` has: the mirrored bracket if the font's
/// glyph is that of the mirror image (right-to-left shaping mirrors them).
fn drawn_char(face: &Face<'_>, c: char, glyph: GlyphId) -> char {
    let mirror = match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '«' => '»',
        '»' => '«',
        '<' => '>',
        '>' => '<',
        _ => return c,
    };
    if face.glyph_index(mirror).map(|g| g.0 as u32) == Some(glyph.to_u32()) {
        mirror
    } else {
        c
    }
}

/// Lays out one paragraph and returns its lines, top to bottom, each as the
/// characters drawn from left to right (bidi controls are not drawn).
fn drawn_lines(spans: &[Span], rtl_doc: bool, indent: f32, auto: bool) -> Vec<String> {
    let fonts = Fonts::load().expect("the built-in fonts load");
    let mut l = Layout { fonts: &fonts, rtl: rtl_doc, pages: vec![Page::default()], y: MARGIN_TOP, paginate: false };
    l.paragraph(spans, &ParaStyle { size: 10.5, indent, before: 0.0, after: 0.0, auto });
    let mut runs: Vec<&Placed> = l.pages[0].runs.iter().collect();
    runs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<(f32, f32, String)> = Vec::new();
    for r in runs {
        let face = &fonts.faces[r.font];
        let mut drawn = String::new();
        for g in &r.glyphs {
            let cluster: Vec<char> = r.text[g.text_range.clone()].chars().collect();
            let chars: Vec<char> = if r.rtl { cluster.into_iter().rev().collect() } else { cluster };
            if let [c] = chars[..] {
                drawn.push(drawn_char(face, c, g.glyph_id));
            } else {
                drawn.extend(chars);
            }
        }
        let w = width(&r.glyphs, r.size);
        match lines.last_mut() {
            Some((y, end, text)) if *y == r.y => {
                assert!((r.x - *end).abs() < 0.01, "runs of a line overlap or leave a gap: {text:?} then {drawn:?}");
                *end = r.x + w;
                text.push_str(&drawn);
            }
            _ => lines.push((r.y, r.x + w, drawn)),
        }
    }
    lines.into_iter().map(|(_, _, t)| t).collect()
}

/// Arabic text as drawn: its characters from left to right, brackets mirrored.
fn rtl(logical: &str) -> String {
    logical
        .chars()
        .rev()
        .map(|c| match c {
            '(' => ')',
            ')' => '(',
            _ => c,
        })
        .collect()
}

fn field(label: &str, value: &str) -> Vec<Span> {
    vec![span(label, true, INK), span(value, false, INK)]
}

fn body(text: &str) -> Vec<Span> {
    vec![span(text, false, INK)]
}

#[test]
fn an_isolated_approximate_year_keeps_its_tilde_before_the_digits() {
    let lines = drawn_lines(&field("تاريخ الميلاد: ", "\u{2066}~1984\u{2069}"), true, 0.0, false);
    assert_eq!(lines, [format!("~1984{}", rtl("تاريخ الميلاد: "))]);
    assert!(lines[0].starts_with("~1984 :"), "{lines:?}");
}

#[test]
fn an_isolated_reference_is_one_left_to_right_run_between_arabic_words() {
    let lines = drawn_lines(&body("المرجع \u{2066}A-10482/11-2023\u{2069}، تاريخ"), true, 0.0, false);
    assert_eq!(lines, [format!("{}A-10482/11-2023{}", rtl("، تاريخ"), rtl("المرجع "))]);
}

#[test]
fn an_isolated_date_at_the_start_of_an_arabic_line_is_at_its_right_end() {
    let lines = drawn_lines(&body("\u{2066}2026-09-08\u{2069}: موقوف"), true, 0.0, false);
    assert_eq!(lines, [format!("{}2026-09-08", rtl(": موقوف"))]);
    assert!(lines[0].ends_with(" :2026-09-08"), "{lines:?}");
}

#[test]
fn brackets_around_latin_and_arabic_in_an_arabic_line_are_mirrored_pairs() {
    let lines = drawn_lines(&body("موقوف (Belgrade airport، صربيا)"), true, 0.0, false);
    assert_eq!(lines, [format!("{}Belgrade airport{}", rtl("، صربيا)"), rtl("موقوف ("))]);
    // On the page the pair reads "(صربيا ،Belgrade airport)": opening on the left.
    assert!(lines[0].starts_with('(') && lines[0].contains("airport) "), "{lines:?}");
}

#[test]
fn an_english_sentence_inside_an_arabic_paragraph() {
    // Without an isolate the full stop between English and Arabic takes the
    // paragraph's direction (rule N1), so it is drawn left of the sentence.
    let lines = drawn_lines(&body("قال الشاهد: He was taken away by airport police. ثم اختفى"), true, 0.0, false);
    assert_eq!(lines, [format!("{}He was taken away by airport police{}", rtl(". ثم اختفى"), rtl("قال الشاهد: "))]);
    // Isolated (as drafts do with the user's own notes) it keeps its full stop.
    let lines = drawn_lines(
        &body("قال الشاهد: \u{2068}He was taken away by airport police.\u{2069} ثم اختفى"),
        true,
        0.0,
        false,
    );
    assert_eq!(lines, [format!("{}He was taken away by airport police.{}", rtl(" ثم اختفى"), rtl("قال الشاهد: "))]);
}

#[test]
fn an_arabic_name_inside_an_english_line() {
    let lines = drawn_lines(&field("Other names: ", "يوسف ناصر (native script), 1984"), false, 0.0, false);
    assert_eq!(lines, [format!("Other names: {} (native script), 1984", rtl("يوسف ناصر"))]);
}

#[test]
fn a_paragraph_written_in_english_in_an_arabic_draft_reads_left_to_right() {
    let lines = drawn_lines(&body("I saw him taken away (by airport police) in بيروت."), true, 0.0, true);
    assert_eq!(lines, [format!("I saw him taken away (by airport police) in {}.", rtl("بيروت"))]);
}

#[test]
fn the_page_number_in_an_arabic_footer() {
    let lines = drawn_lines(&body("مسودة غير مشفرة · \u{2066}1 / 2\u{2069}"), true, 0.0, false);
    assert_eq!(lines, [format!("1 / 2{}", rtl("مسودة غير مشفرة · "))]);
}

#[test]
fn a_wrapped_arabic_paragraph_is_reordered_line_by_line_after_breaking() {
    let event = "• \u{2066}2026-09-08\u{2069}: موقوف (Belgrade airport، صربيا). Stopped at passport control on arrival for a conference.";
    // Two lines: the first holds the logical start (date, Arabic, brackets,
    // the first English words at its left end); the second the rest, its full
    // stop on the left by N1 and L1 as in any UAX #9 renderer.
    let lines = drawn_lines(&body(event), true, 150.0, false);
    assert_eq!(
        lines,
        [
            format!(
                "Stopped at passport{}Belgrade airport{}2026-09-08{}",
                rtl("، صربيا). "),
                rtl(": موقوف ("),
                rtl("• ")
            ),
            format!("{}control on arrival for a conference", rtl(".")),
        ]
    );
    // Broken inside the brackets: each line is reordered on its own, the
    // brackets still mirrored as their pair was resolved on the paragraph.
    let lines = drawn_lines(&body(event), true, 300.0, false);
    assert_eq!(
        lines,
        [
            format!("Belgrade{}2026-09-08{}", rtl(": موقوف ("), rtl("• ")),
            format!("Stopped at passport{}airport", rtl("، صربيا). ")),
            format!("{}control on arrival for a conference", rtl(".")),
        ]
    );
    // The user's note isolated (as drafts do): its full stop stays at its end
    // on the line it is broken onto.
    let isolated = "• \u{2066}2026-09-08\u{2069}: موقوف (Belgrade airport، صربيا). \u{2068}Stopped at passport control on arrival for a conference.\u{2069}";
    let lines = drawn_lines(&body(isolated), true, 150.0, false);
    assert_eq!(
        lines,
        [
            format!(
                "Stopped at passport{}Belgrade airport{}2026-09-08{}",
                rtl("، صربيا). "),
                rtl(": موقوف ("),
                rtl("• ")
            ),
            "control on arrival for a conference.".to_string(),
        ]
    );
}

#[test]
fn a_reference_broken_across_lines_keeps_each_part_in_order() {
    // A long isolated reference cut at its space: "Appl. no." ends the first
    // line at its left, "51234/26" starts the second at its right.
    let text = "المحكمة الأوروبية لحقوق الإنسان: المرجع \u{2066}Appl. no. 51234/26\u{2069}، تاريخ التقديم \u{2066}2026-09-19\u{2069}";
    let lines = drawn_lines(&body(text), true, 260.0, false);
    assert_eq!(
        lines,
        [
            format!("Appl. no.{}", rtl("المحكمة الأوروبية لحقوق الإنسان: المرجع ")),
            format!("2026-09-19{}51234/26", rtl("، تاريخ التقديم ")),
        ]
    );
}

#[test]
fn separators_the_user_typed_do_not_split_the_paragraph_or_shift_the_styles() {
    let expected = drawn_lines(&field("ملاحظة: ", "\u{2068}Left Doha.\u{2069} ثم وصل"), true, 0.0, false);
    assert_eq!(expected, [format!("{}Left Doha.{}", rtl(" ثم وصل"), rtl("ملاحظة: "))]);
    for sep in ["\u{2029}", "\u{0085}", "\u{001C}", "\n", "\t", "\u{000B}"] {
        let value = format!("\u{2068}Left{sep}Doha.\u{2069} ثم وصل");
        assert_eq!(drawn_lines(&field("ملاحظة: ", &value), true, 0.0, false), expected, "{sep:?}");
    }
}
