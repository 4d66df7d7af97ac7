//! Streaming readers of the JSON formats: a Graph page (`{"value": […]}`), a JSON array of
//! records (the portal's JSON download, our own bundles), NDJSON, and Azure Monitor
//! diagnostic-settings records (`{"records": […]}` or one per line, each with `properties`).
//! Records are handed on one by one, so a file of any size is read in flat memory.

use super::Sink;
use crate::ingest::{check_record, minify_json, RecordProblem};
use app::model::{EventType, Nullable, SignIn, SignInEventType, SignInStatus};
use app::store::NewSignIn;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::fmt;
use std::io::{BufRead, Read};

/// The diagnostic-settings envelope around a sign-in (only what import uses).
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    properties: Option<&'a RawValue>,
    category: Option<String>,
    time: Option<String>,
    #[serde(rename = "resultType")]
    result_type: Option<serde_json::Value>,
    #[serde(rename = "resultDescription")]
    result_description: Option<String>,
}

/// The report a diagnostic category stands for.
fn category_event_type(category: &str) -> Option<EventType> {
    match category {
        "SignInLogs" => Some(EventType::Interactive),
        "NonInteractiveUserSignInLogs" => Some(EventType::NonInteractive),
        "ServicePrincipalSignInLogs" | "MicrosoftServicePrincipalSignInLogs" => {
            Some(EventType::ServicePrincipal)
        }
        "ManagedIdentitySignInLogs" => Some(EventType::ManagedIdentity),
        _ => None,
    }
}

fn parse_signin(raw: &str) -> Result<SignIn, RecordProblem> {
    let record = crate::ingest::parse_signin(raw)?;
    check_record(&record)?;
    Ok(record)
}

/// One record's JSON text, a `signIn` or a diagnostic record, to a record to store.
pub fn convert(raw: &str) -> Result<NewSignIn, RecordProblem> {
    if raw.contains("\"properties\"") {
        if let Ok(envelope) = serde_json::from_str::<Envelope<'_>>(raw) {
            if let Some(properties) = envelope.properties {
                return convert_diagnostic(properties.get(), &envelope);
            }
        }
    }
    let record = parse_signin(raw)?;
    Ok(NewSignIn::new(&record, &minify_json(raw)))
}

/// A diagnostic record's `properties` is the Graph beta object; what it lacks and the envelope
/// knows (the report, the time, the result) is filled in from the envelope.
fn convert_diagnostic(
    properties: &str,
    envelope: &Envelope<'_>,
) -> Result<NewSignIn, RecordProblem> {
    let mut value: serde_json::Map<String, serde_json::Value> = serde_json::from_str(properties)
        .map_err(|e| RecordProblem {
            field: "properties".into(),
            message: e.to_string(),
        })?;
    if !value.contains_key("createdDateTime") {
        if let Some(time) = &envelope.time {
            value.insert(
                "createdDateTime".into(),
                serde_json::Value::String(time.clone()),
            );
        }
    }
    let text = serde_json::Value::Object(value).to_string();
    let mut record = parse_signin(&text).map_err(|p| RecordProblem {
        field: if p.field.is_empty() {
            "properties".into()
        } else {
            format!("properties.{}", p.field)
        },
        message: p.message,
    })?;
    let mut changed = false;
    if record
        .sign_in_event_types
        .get()
        .is_none_or(|t| t.is_empty())
    {
        if let Some(t) = envelope.category.as_deref().and_then(category_event_type) {
            let member = SignInEventType::parse(t.graph_name());
            record.sign_in_event_types = Nullable::Value(vec![member]);
            changed = true;
        }
    }
    let has_code = record
        .status
        .get()
        .is_some_and(|s| s.error_code.get().is_some());
    if !has_code {
        let code = match &envelope.result_type {
            Some(serde_json::Value::Number(n)) => n.as_i64(),
            Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        if let Some(code) = code {
            let mut status = record.status.get().cloned().unwrap_or_default();
            status.error_code = code.into();
            if status.failure_reason.is_absent() {
                status.failure_reason = Nullable::from_option(envelope.result_description.clone());
            }
            record.status = Nullable::Value(SignInStatus { ..status });
            changed = true;
        }
    }
    if changed {
        NewSignIn::from_record(&record).map_err(|e| RecordProblem {
            field: String::new(),
            message: e.to_string(),
        })
    } else {
        Ok(NewSignIn::new(&record, &minify_json(properties)))
    }
}

/// Hands each element of a JSON array to the sink.
struct ArraySeed<'s> {
    sink: &'s mut dyn Sink,
    next_index: &'s mut usize,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            let index = *self.next_index;
            *self.next_index += 1;
            self.sink
                .item(format!("record {index}"), convert(raw.get()));
        }
        Ok(())
    }
}

/// A top-level object: a Graph page or a diagnostic batch (records under `value` or
/// `records`), anything else is not a file of records.
struct DocumentVisitor<'s> {
    sink: &'s mut dyn Sink,
    next_index: &'s mut usize,
}

impl<'de> Visitor<'de> for DocumentVisitor<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object with a `value` or `records` array")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut found = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "value" || key == "records" {
                map.next_value_seed(ArraySeed {
                    sink: &mut *self.sink,
                    next_index: &mut *self.next_index,
                })?;
                found = true;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<bool, A::Error> {
        ArraySeed {
            sink: self.sink,
            next_index: self.next_index,
        }
        .visit_seq(seq)?;
        Ok(true)
    }
}

impl<'de> DeserializeSeed<'de> for DocumentVisitor<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Reads a JSON file: an array, a page or batch object, or NDJSON (one object per line).
pub fn read(mut reader: impl BufRead, sink: &mut dyn Sink) -> anyhow::Result<()> {
    // NDJSON when the first line is a whole JSON object by itself.
    let mut first_line = String::new();
    reader.read_line(&mut first_line)?;
    let trimmed = first_line.trim();
    let whole_first_line =
        trimmed.starts_with('{') && serde_json::from_str::<&RawValue>(trimmed).is_ok();
    let is_batch = whole_first_line && {
        // A one-line page or batch ({"value": […]}) is still a document, not a record.
        #[derive(Deserialize)]
        struct Probe<'a> {
            #[serde(borrow)]
            value: Option<&'a RawValue>,
            #[serde(borrow)]
            records: Option<&'a RawValue>,
        }
        serde_json::from_str::<Probe<'_>>(trimmed)
            .is_ok_and(|p| p.value.is_some() || p.records.is_some())
    };
    if whole_first_line && !is_batch {
        let mut line_no = 1;
        let mut line = first_line;
        loop {
            let text = line.trim();
            if !text.is_empty() {
                // The typed read validates the JSON too: no separate pass.
                let result = convert(text);
                sink.item(format!("line {line_no}"), result);
            }
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                break;
            }
            line_no += 1;
        }
        return Ok(());
    }
    let chained = std::io::Cursor::new(first_line.into_bytes()).chain(reader);
    let mut de = serde_json::Deserializer::from_reader(chained);
    let mut next_index = 0;
    let found = DocumentVisitor {
        sink,
        next_index: &mut next_index,
    }
    .deserialize(&mut de)
    .map_err(|e| {
        anyhow::anyhow!("not valid JSON ({e}); {next_index} records before that point were read")
    })?;
    de.end()
        .map_err(|e| anyhow::anyhow!("unexpected data after the JSON document ({e})"))?;
    anyhow::ensure!(
        found,
        "a JSON object without a `value` or `records` array: not a file of sign-ins"
    );
    Ok(())
}
