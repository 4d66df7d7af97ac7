//! How a record's JSON text is kept on disk: compressed with zstd against a fixed dictionary.
//!
//! Sign-in records are 2–5 KB of JSON that repeat the same property names and many of the same
//! values; alone each compresses poorly, but against a dictionary of typical records it shrinks
//! several times. The first byte says how the rest is stored, so the format can change without
//! rewriting old rows: 0 = plain UTF-8 text, 1 = zstd with dictionary v1. Dictionary v1 must
//! never change (rows written with it would no longer decode); a new one gets a new format byte.
//! (`zdict-v1.bin`: 48 KB trained by zstd; `server/src/dictionary.rs` says how.)

use super::StoreError;
use std::cell::RefCell;
use std::sync::LazyLock;
use zstd::dict::{DecoderDictionary, EncoderDictionary};

const PLAIN: u8 = 0;
const ZSTD_DICT_V1: u8 = 1;

/// Dictionary v1: trained by `zstd` on demo records and Graph's sample records (see
/// `server/src/dictionary.rs`). Its entropy tables spare each small record building its own.
static DICT_V1: &[u8] = include_bytes!("zdict-v1.bin");

/// The compression level: fast enough for the ingest path, most of the gain of higher levels.
const LEVEL: i32 = 1;

/// The dictionaries, digested once (loading a raw dictionary per record costs more than the
/// compression itself).
static ENCODER_DICT: LazyLock<EncoderDictionary<'static>> =
    LazyLock::new(|| EncoderDictionary::copy(DICT_V1, LEVEL));
static DECODER_DICT: LazyLock<DecoderDictionary<'static>> =
    LazyLock::new(|| DecoderDictionary::copy(DICT_V1));

thread_local! {
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
}

/// The stored form of a record's JSON text.
pub fn encode(json: &str) -> Vec<u8> {
    let compressed = COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = zstd::bulk::Compressor::with_prepared_dictionary(&ENCODER_DICT).ok();
        }
        slot.as_mut().and_then(|c| c.compress(json.as_bytes()).ok())
    });
    match compressed {
        Some(bytes) if bytes.len() < json.len() => {
            let mut out = Vec::with_capacity(bytes.len() + 1);
            out.push(ZSTD_DICT_V1);
            out.extend_from_slice(&bytes);
            out
        }
        // Tiny or incompressible: keep the text.
        _ => {
            let mut out = Vec::with_capacity(json.len() + 1);
            out.push(PLAIN);
            out.extend_from_slice(json.as_bytes());
            out
        }
    }
}

/// The JSON text of a stored record.
pub fn decode(stored: &[u8]) -> Result<String, StoreError> {
    let corrupt = |why: &str| StoreError::Backend(format!("a stored record cannot be read: {why}"));
    let (format, body) = stored.split_first().ok_or_else(|| corrupt("empty"))?;
    let bytes = match *format {
        PLAIN => body.to_vec(),
        ZSTD_DICT_V1 => {
            let size = zstd::zstd_safe::get_frame_content_size(body)
                .ok()
                .flatten()
                .ok_or_else(|| corrupt("no content size"))?;
            let capacity = usize::try_from(size).map_err(|_| corrupt("too large"))?;
            DECOMPRESSOR.with(|cell| {
                let mut slot = cell.borrow_mut();
                if slot.is_none() {
                    *slot = zstd::bulk::Decompressor::with_prepared_dictionary(&DECODER_DICT).ok();
                }
                let d = slot.as_mut().ok_or_else(|| corrupt("no decompressor"))?;
                d.decompress(body, capacity)
                    .map_err(|e| corrupt(&e.to_string()))
            })?
        }
        other => return Err(corrupt(&format!("unknown format {other}"))),
    };
    String::from_utf8(bytes).map_err(|_| corrupt("not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Graph's own sample record with fresh IDs, as a stream of real records would have.
    fn sample_records(n: usize) -> Vec<String> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(n as u64);
        let fixture = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/graph-beta-list.json"
        );
        let text = std::fs::read_to_string(fixture).expect("fixture");
        let page: serde_json::Value = serde_json::from_str(&text).expect("json");
        (0..n)
            .map(|_| {
                let mut record = page["value"][0].clone();
                for key in [
                    "id",
                    "correlationId",
                    "originalRequestId",
                    "uniqueTokenIdentifier",
                ] {
                    record[key] = serde_json::json!(format!("{:032x}", rng.gen::<u128>()));
                }
                record.to_string()
            })
            .collect()
    }

    #[test]
    fn records_come_back_byte_for_byte() {
        let mut texts = vec![
            String::new(),
            "{}".into(),
            "{\"city\":\"Zürich 東京\"}".into(),
        ];
        texts.extend(sample_records(20));
        for text in texts {
            assert_eq!(decode(&encode(&text)).expect("decodes"), text);
        }
    }

    #[test]
    fn typical_records_shrink_several_times() {
        let records = sample_records(50);
        let raw: usize = records.iter().map(String::len).sum();
        let stored: usize = records.iter().map(|r| encode(r).len()).sum();
        assert!(stored * 3 < raw, "{raw} -> {stored}");
    }

    #[test]
    fn a_damaged_record_is_an_error_not_a_panic() {
        assert!(decode(&[]).is_err());
        assert!(decode(&[1, 2, 3]).is_err());
        assert!(decode(&[9, b'x']).is_err());
        assert!(decode(&[0, 0xff, 0xfe]).is_err());
    }
}
