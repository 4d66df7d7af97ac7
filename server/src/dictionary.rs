//! How the record-compression dictionary (`app/src/store/zdict-v1.bin`) was made, kept so the
//! procedure can be repeated for a v2. Dictionary v1 itself must never be replaced: stored
//! records name it. Run by hand with
//! `cargo test -p server --release --lib -- --ignored train_dictionary`; it writes
//! `target/zdict-candidate.bin`.

#[cfg(test)]
mod training {
    #[test]
    #[ignore = "writes a candidate dictionary; run by hand"]
    fn train_dictionary() {
        let end = chrono::DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
            .expect("valid")
            .with_timezone(&chrono::Utc);
        let options = crate::demo::DemoOptions {
            events: 20_000,
            days: 30,
            seed: 7,
            end,
            tenant_id: crate::tenants::DEMO_TENANT_ID.into(),
        };
        let mut samples: Vec<Vec<u8>> = crate::demo::generate(&options)
            .map(|r| serde_json::to_vec(&r).expect("serialises"))
            .collect();
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../app/tests/fixtures");
        for name in ["graph-beta-list.json", "graph-v1-list.json"] {
            let text = std::fs::read_to_string(format!("{fixtures}/{name}")).expect("fixture");
            let page: serde_json::Value = serde_json::from_str(&text).expect("json");
            for record in page["value"].as_array().expect("value") {
                for _ in 0..50 {
                    samples.push(record.to_string().into_bytes());
                }
            }
        }
        let dict = zstd::dict::from_samples(&samples, 48 * 1024).expect("trains");
        let out = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/zdict-candidate.bin");
        std::fs::write(out, dict).expect("written");
    }
}
