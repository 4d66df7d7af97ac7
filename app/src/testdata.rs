//! Finding the shared sample files in tests: `$SIGNBOOK_SHARED_DIR/samples`, then
//! `shared/samples` next to the checkout or any folder above it, then the copies in
//! `testdata/samples`; the file's SHA-256 is checked against the published one.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The published SHA-256 of each sample (shared/samples/README.md).
const SAMPLES: &[(&str, &str)] = &[
    (
        "sign-in_adelete.csv",
        "8e344c79a46a0960c984219c4246bbe379057d9d872bd4e83ec46ea81d32d110",
    ),
    (
        "Status.csv",
        "dca0f3e617db387bee622c4e0f28f7d870c498243edfad58ce809e085fd39be6",
    ),
];

/// The path of a sample file, verified.
pub fn sample_path(name: &str) -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Ok(dir) = std::env::var("SIGNBOOK_SHARED_DIR") {
        candidates.push(Path::new(&dir).join("samples").join(name));
    }
    for dir in repo.ancestors() {
        candidates.push(dir.join("shared/samples").join(name));
    }
    candidates.push(repo.join("testdata/samples").join(name));
    let path = candidates
        .into_iter()
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("sample {name} not found"));
    let expected = SAMPLES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, h)| *h)
        .expect("a known sample");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        hex(&Sha256::digest(&bytes)),
        expected,
        "{} is not the published sample",
        path.display()
    );
    path
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
