//! Arbitrary bytes as the JSON of a record, as `amana KIND add` reads it from
//! standard input and the desktop app sends it (src/dossier/store.rs): the
//! first byte chooses the kind, the rest is the text. The strict parser
//! (duplicate keys refused, unknown fields refused, every rule of the kind)
//! must never panic, and whatever it accepts must survive a round trip: the
//! stored JSON of an accepted record parses back to the same record.

#![no_main]

use amana::dossier::store;
use amana::dossier::{Kind, Record};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let kind = Kind::ALL[*first as usize % Kind::ALL.len()];
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let Ok(value) = store::parse_json_text(kind, text) else { return };
    let Ok((_, record)) = store::parse_input(kind, value) else { return };
    assert_eq!(record.kind(), kind);
    let stored = record.to_json();
    let back = Record::from_json(kind, stored.clone()).expect("a record's own JSON parses");
    assert!(back == record, "round trip changed the record: {stored}");
    assert!(back.validate().is_ok(), "an accepted record stays valid");
});
