//! `POST /api/v1/ingest`: a JSON array or NDJSON of `signIn` records, all or nothing.
//!
//! Every record is validated against the model before anything is stored; one bad record
//! rejects the request with a 400 naming the index (and line) and the field of every bad
//! record. The answer comes only after the transaction is committed durably.

use crate::error::{ApiError, ErrorDetail};
use crate::keys::hash_key;
use crate::state::AppState;
use app::model::SignIn;
use app::store::NewSignIn;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Serialize;
use serde_json::value::RawValue;

/// Why one record was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordProblem {
    /// The field path (`status.errorCode`), or empty for the record as a whole.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// Removes the white space outside strings, leaving every value, key and key order as it was.
///
/// Works on bytes: every byte that matters here (`"`, `\\`, white space) is ASCII and never
/// part of a multi-byte UTF-8 sequence. Text that is already compact is copied as it is.
pub fn minify_json(text: &str) -> String {
    let bytes = text.as_bytes();
    let is_space = |b: u8| matches!(b, b' ' | b'\n' | b'\r' | b'\t');
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let mut start = 0; // start of the pending run to copy
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                // Skip the string: to the next quote not escaped by a backslash.
                i += 1;
                while let Some(offset) = memchr::memchr2(b'"', b'\\', &bytes[i..]) {
                    i += offset;
                    if bytes[i] == b'"' {
                        break;
                    }
                    i += 2;
                }
                i += 1;
            }
            b if is_space(b) => {
                out.extend_from_slice(&bytes[start..i]);
                while i < bytes.len() && is_space(bytes[i]) {
                    i += 1;
                }
                start = i;
            }
            _ => i += 1,
        }
    }
    out.extend_from_slice(&bytes[start.min(bytes.len())..]);
    // Only ASCII white space outside strings was removed, so the bytes are still UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Validates one record's JSON text. The stored text is the record's own, minified.
pub fn parse_record(raw: &str) -> Result<NewSignIn, RecordProblem> {
    let record = parse_signin(raw)?;
    check_record(&record)?;
    Ok(NewSignIn::new(&record, &minify_json(raw)))
}

/// Reads a record; on failure, reads it again tracking the path so the error names the field
/// (tracking costs time, and most records are valid).
pub fn parse_signin(raw: &str) -> Result<SignIn, RecordProblem> {
    serde_json::from_str::<SignIn>(raw).or_else(|_| {
        let mut de = serde_json::Deserializer::from_str(raw);
        serde_path_to_error::deserialize::<_, SignIn>(&mut de).map_err(|e| {
            let path = e.path().to_string();
            RecordProblem {
                field: if path == "." { String::new() } else { path },
                message: e.inner().to_string(),
            }
        })
    })
}

/// Checks what the types alone do not: a usable Request ID.
pub fn check_record(record: &SignIn) -> Result<(), RecordProblem> {
    let id = record.id.trim();
    if id.is_empty() {
        return Err(RecordProblem {
            field: "id".into(),
            message: "the Request ID is empty".into(),
        });
    }
    if id.len() > 256 {
        return Err(RecordProblem {
            field: "id".into(),
            message: "the Request ID is longer than 256 characters".into(),
        });
    }
    Ok(())
}

/// The most per-record problems one answer lists.
const MAX_DETAILS: usize = 1000;

/// Parses a request body: a JSON array of records, or one record per line (NDJSON).
pub fn parse_body(body: &str) -> Result<Vec<NewSignIn>, ApiError> {
    let trimmed = body.trim_start();
    let mut records = Vec::new();
    let mut details = Vec::new();
    let mut push = |index: usize, line: Option<usize>, result: Result<NewSignIn, RecordProblem>| {
        match result {
            Ok(r) => records.push(r),
            Err(p) => {
                if details.len() < MAX_DETAILS {
                    details.push(ErrorDetail {
                        code: "InvalidRecord".into(),
                        message: p.message,
                        index: Some(index),
                        line,
                        target: Some(p.field).filter(|f| !f.is_empty()),
                    });
                }
            }
        }
    };
    let total;
    if trimmed.starts_with('[') {
        let items: Vec<&RawValue> = serde_json::from_str(trimmed).map_err(|e| {
            ApiError::bad_request(format!("The body is not a JSON array of records: {e}."))
        })?;
        total = items.len();
        for (index, raw) in items.into_iter().enumerate() {
            push(index, None, parse_record(raw.get()));
        }
    } else {
        let mut index = 0;
        for (n, line) in body.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let result = serde_json::from_str::<&RawValue>(line)
                .map_err(|e| RecordProblem {
                    field: String::new(),
                    message: format!("not a JSON object: {e}"),
                })
                .and_then(|raw| parse_record(raw.get()));
            push(index, Some(n + 1), result);
            index += 1;
        }
        total = index;
    }
    if total == 0 {
        return Err(ApiError::bad_request(
            "The body holds no records: send a JSON array or one JSON object per line.",
        ));
    }
    if !details.is_empty() {
        let bad = total - records.len();
        let mut error = ApiError::bad_request(format!(
            "{bad} of {total} records are invalid; nothing was stored."
        ));
        error.details = details;
        return Err(error);
    }
    Ok(records)
}

/// The answer to a successful ingest.
#[derive(Debug, Serialize)]
pub struct IngestOutcome {
    /// Records stored now.
    pub inserted: i64,
    /// Records already stored (same Request ID), left as they were.
    pub duplicates: i64,
}

/// The tenant the request's key writes to.
async fn tenant_of_key(state: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::unauthorized("Send an ingest key: Authorization: Bearer sbk_…"))?;
    let key = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .ok_or_else(|| {
            ApiError::unauthorized("The Authorization header must be 'Bearer <ingest key>'.")
        })?;
    // An app's access token (from the token endpoint) writes to the app's tenant.
    if key.matches('.').count() == 2 {
        let (_, tenant) =
            crate::graph::app_of_token(state, key.trim(), Some(crate::graph::SIGNINS_INGEST))
                .await?;
        return Ok(tenant.id);
    }
    let found = state.store.find_ingest_key(&hash_key(key)).await?;
    found
        .map(|k| k.tenant_id)
        .ok_or_else(|| ApiError::unauthorized("The ingest key is not valid."))
}

/// `POST /api/v1/ingest`.
pub async fn ingest(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<IngestOutcome>), ApiError> {
    let tenant_id = tenant_of_key(&state, &headers).await?;
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLarge",
                format!(
                    "The body is larger than {} bytes; send smaller batches.",
                    state.limits.ingest_max_bytes
                ),
            )
        } else {
            ApiError::bad_request(rejection.body_text())
        }
    })?;
    // Parsing a large body is CPU work: keep it off the async workers.
    let records = tokio::task::spawn_blocking(move || {
        let text = std::str::from_utf8(&body)
            .map_err(|_| ApiError::bad_request("The body is not UTF-8 text."))?;
        parse_body(text)
    })
    .await
    .map_err(|e| ApiError::internal(&e))??;
    let outcome = state.store.insert_signins(&tenant_id, &records).await?;
    tracing::info!(tenant = %tenant_id, inserted = outcome.inserted, duplicates = outcome.duplicates, "ingest");
    Ok((
        StatusCode::OK,
        Json(IngestOutcome {
            inserted: outcome.inserted,
            duplicates: outcome.duplicates,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minify_keeps_strings_and_order_and_drops_only_outer_space() {
        let text = "{ \"b\" : \"a  b\\\" c\",\n  \"a\": [1, 2] }";
        assert_eq!(minify_json(text), "{\"b\":\"a  b\\\" c\",\"a\":[1,2]}");
        let tricky = "{\"x\\\\\": \" \\\\\" , \"ü\" : [ \"\\u00e9 \" ] }";
        let minified = minify_json(tricky);
        assert_eq!(minified, "{\"x\\\\\":\" \\\\\",\"ü\":[\"\\u00e9 \"]}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&minified).expect("valid"),
            serde_json::from_str::<serde_json::Value>(tricky).expect("valid")
        );
        assert_eq!(minify_json("\"unterminated"), "\"unterminated");
    }

    #[test]
    fn an_array_with_bad_records_names_each_index_and_field() {
        let body = r#"[{"id":"a","createdDateTime":"2024-01-01T00:00:00Z"},
                      {"id":"b","createdDateTime":"nope"},
                      {"id":"c","createdDateTime":"2024-01-01T00:00:00Z","status":{"errorCode":"x"}},
                      {"createdDateTime":"2024-01-01T00:00:00Z"}]"#;
        let err = parse_body(body).expect_err("three bad records");
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        let found: Vec<(Option<usize>, Option<String>)> = err
            .details
            .iter()
            .map(|d| (d.index, d.target.clone()))
            .collect();
        assert_eq!(
            found,
            vec![
                (Some(1), Some("createdDateTime".into())),
                (Some(2), Some("status.errorCode".into())),
                (Some(3), None)
            ]
        );
        assert!(
            err.details[2].message.contains("id"),
            "{}",
            err.details[2].message
        );
    }

    #[test]
    fn ndjson_errors_carry_line_numbers() {
        let body = "{\"id\":\"a\",\"createdDateTime\":\"2024-01-01T00:00:00Z\"}\n\n{broken\n";
        let err = parse_body(body).expect_err("a broken line");
        assert_eq!(
            (err.details[0].index, err.details[0].line),
            (Some(1), Some(3))
        );
    }

    #[test]
    fn empty_and_malformed_bodies_are_refused() {
        assert!(parse_body("   ").is_err());
        assert!(parse_body("[1, 2").is_err());
        assert!(parse_body("[]").is_err());
        assert!(parse_body(r#"[{"id":" ","createdDateTime":"2024-01-01T00:00:00Z"}]"#).is_err());
    }
}
