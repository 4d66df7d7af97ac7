//! Ingest keys: random secrets shown once; only their SHA-256 is stored.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// The prefix that marks an ingest key (so it is recognised in a leaked file or a log).
pub const INGEST_KEY_PREFIX: &str = "sbk_";

/// A new random ingest key (256 bits).
pub fn new_ingest_key() -> String {
    let mut bytes = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{INGEST_KEY_PREFIX}{}", hex::encode(bytes))
}

/// The stored form of a key.
pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.trim().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_and_only_their_hash_is_kept() {
        let (a, b) = (new_ingest_key(), new_ingest_key());
        assert_ne!(a, b);
        assert!(a.starts_with(INGEST_KEY_PREFIX) && a.len() == 68);
        assert_eq!(hash_key(&a), hash_key(&format!(" {a}\n")));
        assert!(!hash_key(&a).contains(&a[4..]));
    }
}
