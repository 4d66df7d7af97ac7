//! Passwords: argon2id hashes (OWASP's parameters, the `argon2` crate's defaults), computed on
//! tokio's blocking pool so that a sign-in never stalls the request threads; one-time passwords.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::Rng;

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 12;
/// The longest password accepted (argon2 takes any length; this bounds the work per request).
pub const MAX_LENGTH: usize = 256;

/// Why a new password is refused.
pub fn check_new(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        return Err(format!(
            "A password needs at least {MIN_LENGTH} characters."
        ));
    }
    if chars > MAX_LENGTH {
        return Err(format!("A password has at most {MAX_LENGTH} characters."));
    }
    if password.trim() != password {
        return Err("A password cannot start or end with a space.".into());
    }
    Ok(())
}

/// The argon2id PHC string of a password (blocking: call through [`hash`]).
pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// Hashes on the blocking pool.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
}

/// Whether `password` matches the PHC string (false for a malformed one).
pub fn verify_blocking(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Verifies on the blocking pool.
pub async fn verify(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || verify_blocking(&password, &phc))
        .await
        .unwrap_or(false)
}

/// A one-time password people can read out and type: 20 characters from an alphabet without
/// look-alikes, in groups of five (about 100 bits).
pub fn one_time() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let chars: Vec<char> = (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let phc = hash_blocking("correct horse battery").expect("hash");
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(verify_blocking("correct horse battery", &phc));
        assert!(!verify_blocking("correct horse batterY", &phc));
        assert!(!verify_blocking("correct horse battery", "not a hash"));
        let again = hash_blocking("correct horse battery").expect("hash");
        assert_ne!(phc, again, "a new salt each time");
    }

    #[test]
    fn one_time_passwords_are_long_and_different() {
        let a = one_time();
        assert_eq!(a.len(), 23);
        assert!(check_new(&a).is_ok());
        assert_ne!(a, one_time());
    }

    #[test]
    fn short_padded_and_huge_passwords_are_refused() {
        assert!(check_new("short").is_err());
        assert!(check_new(" twelve chars x").is_err());
        assert!(check_new(&"x".repeat(257)).is_err());
        assert!(check_new("twelve chars").is_ok());
    }
}
