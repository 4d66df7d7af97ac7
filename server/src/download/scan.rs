//! A quick walk over the JSON text of stored records, for the CSV files of a download.
//!
//! A CSV row reads about forty of a record's properties, so each record's text has to be gone
//! through once, property by property. A full JSON parser checks every number and character
//! on the way; stored records were parsed and checked when they came in, so this walk only
//! finds where each value begins and ends: strings are skipped with `memchr`, objects and
//! arrays by counting and matching brackets. Broken structure — text cut short, brackets that
//! do not match, a missing colon or comma, nesting deeper than serde_json reads (128) — gives
//! [`Malformed`] (never a panic), and the download reports it. What the walk does not check
//! (the spelling of numbers and literals, escapes, commas inside a skipped value) was checked
//! when the record came in: ingest and import parse every record fully before storing it.

use std::borrow::Cow;

/// The text is not a JSON object or array as the store writes them.
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed;

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a stored record is not well-formed JSON")
    }
}

impl std::error::Error for Malformed {}

/// The index of the first byte from `i` that is not JSON white space.
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// From just after a string's opening quote, the index of its closing quote, and whether the
/// string has escapes.
fn string_end(b: &[u8], mut i: usize) -> Result<(usize, bool), Malformed> {
    let mut escaped = false;
    loop {
        let at = i + memchr::memchr2(b'"', b'\\', b.get(i..).ok_or(Malformed)?).ok_or(Malformed)?;
        if b[at] == b'"' {
            return Ok((at, escaped));
        }
        // An escape: the next byte is never the end.
        escaped = true;
        i = at + 2;
    }
}

/// From the first byte of a value, the index just after it.
fn value_end(b: &[u8], i: usize) -> Result<usize, Malformed> {
    match b.get(i) {
        Some(b'"') => Ok(string_end(b, i + 1)?.0 + 1),
        Some(b'{' | b'[') => {
            // The open brackets as bits (1 for an object), deepest last: as deep as serde_json
            // reads (128), so as deep as any stored record.
            let mut open = 0_u128;
            let mut depth = 0_u32;
            let mut j = i;
            while let Some(&c) = b.get(j) {
                match c {
                    b'"' => j = string_end(b, j + 1)?.0,
                    b'{' | b'[' => {
                        if depth == 128 {
                            return Err(Malformed);
                        }
                        open = (open << 1) | u128::from(c == b'{');
                        depth += 1;
                    }
                    b'}' | b']' => {
                        if open & 1 != u128::from(c == b'}') {
                            return Err(Malformed);
                        }
                        open >>= 1;
                        depth -= 1;
                        if depth == 0 {
                            return Ok(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            Err(Malformed)
        }
        Some(_) => {
            // A number, true, false or null: up to the next delimiter.
            let mut j = i;
            while let Some(&c) = b.get(j) {
                if matches!(c, b',' | b'}' | b']' | b':' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                j += 1;
            }
            if j == i {
                Err(Malformed)
            } else {
                Ok(j)
            }
        }
        None => Err(Malformed),
    }
}

/// Calls `each` with the name and JSON text of every property of the object `json` is, in
/// order (a repeated name comes twice). Names with escapes are unescaped.
pub fn object<'a>(
    json: &'a str,
    mut each: impl FnMut(Cow<'a, str>, &'a str),
) -> Result<(), Malformed> {
    let b = json.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return Err(Malformed);
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return end(b, i + 1);
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return Err(Malformed);
        }
        let (close, escaped) = string_end(b, i + 1)?;
        let name = json.get(i + 1..close).ok_or(Malformed)?;
        let name = if escaped {
            let quoted = json.get(i..=close).ok_or(Malformed)?;
            Cow::Owned(serde_json::from_str::<String>(quoted).map_err(|_| Malformed)?)
        } else {
            Cow::Borrowed(name)
        };
        i = skip_ws(b, close + 1);
        if b.get(i) != Some(&b':') {
            return Err(Malformed);
        }
        i = skip_ws(b, i + 1);
        let value_to = value_end(b, i)?;
        each(name, json.get(i..value_to).ok_or(Malformed)?);
        i = skip_ws(b, value_to);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return end(b, i + 1),
            _ => return Err(Malformed),
        }
    }
}

/// Calls `each` with the JSON text of every item of the array `json` is.
pub fn array<'a>(json: &'a str, mut each: impl FnMut(&'a str)) -> Result<(), Malformed> {
    let b = json.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'[') {
        return Err(Malformed);
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b']') {
        return end(b, i + 1);
    }
    loop {
        let value_to = value_end(b, i)?;
        each(json.get(i..value_to).ok_or(Malformed)?);
        i = skip_ws(b, value_to);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b']') => return end(b, i + 1),
            _ => return Err(Malformed),
        }
    }
}

/// Nothing but white space may follow the value.
fn end(b: &[u8], i: usize) -> Result<(), Malformed> {
    if skip_ws(b, i) == b.len() {
        Ok(())
    } else {
        Err(Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(json: &str) -> Result<Vec<(String, String)>, Malformed> {
        let mut out = Vec::new();
        object(json, |k, v| out.push((k.into_owned(), v.to_owned())))?;
        Ok(out)
    }

    #[test]
    fn properties_come_with_their_exact_text() {
        let json = r#" { "a" : 1, "b":"x\"}y" ,"c":{"d":[1,{"e":"]"}],"f":null},
            "g":[ ],"h":-1.5e3,"i":true, "j\u0041":"" } "#;
        assert_eq!(
            props(json).expect("an object"),
            [
                ("a", "1"),
                ("b", r#""x\"}y""#),
                ("c", r#"{"d":[1,{"e":"]"}],"f":null}"#),
                ("g", "[ ]"),
                ("h", "-1.5e3"),
                ("i", "true"),
                ("jA", r#""""#),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        assert_eq!(props("{}").expect("empty"), []);
        let mut items = Vec::new();
        array(r#"[{"a":"b\\"}, 2 ,"ü"]"#, |v| items.push(v)).expect("an array");
        assert_eq!(items, [r#"{"a":"b\\"}"#, "2", r#""ü""#]);
    }

    #[test]
    fn every_stored_record_walks_as_serde_json_parses_it() {
        let options = crate::demo::DemoOptions {
            events: 2_000,
            days: 30,
            seed: 11,
            end: chrono::Utc::now(),
            tenant_id: "t".into(),
        };
        for record in crate::demo::generate(&options) {
            let text = serde_json::to_string(&record).expect("json");
            let parsed: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&text).expect("an object");
            let walked = props(&text).expect("walked");
            assert_eq!(walked.len(), parsed.len());
            for (k, v) in walked {
                let value: serde_json::Value = serde_json::from_str(&v).expect("a value");
                assert_eq!(Some(&value), parsed.get(&k), "{k}");
            }
        }
    }

    #[test]
    fn text_that_is_not_an_object_is_refused_without_a_panic() {
        for bad in [
            "",
            "[]",
            "{",
            r#"{"a"}"#,
            r#"{"a":}"#,
            r#"{"a":1"#,
            r#"{"a":"1}"#,
            r#"{"a":"1\"}"#,
            r#"{"a":[1,2}"#,
            r#"{"a":{"b":1]}"#,
            r#"{"a":1,}"#,
            r#"{"a":1} x"#,
            r#"{"a":1 "b":2}"#,
            r#"{a:1}"#,
            "{\"a\":\"\\",
        ] {
            assert_eq!(props(bad), Err(Malformed), "{bad}");
        }
        assert_eq!(array("[1,", |_| {}), Err(Malformed));
    }
}
