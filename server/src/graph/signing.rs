//! What the server signs: access tokens (JWT, HS256) and paging tokens (`$skiptoken`), each
//! with its own key from the database ([`app::store::Store::server_key`]), so that every
//! process serving one database agrees and a token survives a restart.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Characters of a base64url HMAC-SHA256 tag.
const TAG_CHARS: usize = 43;

/// A signing key.
#[derive(Clone)]
pub struct Key(Vec<u8>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(…)")
    }
}

impl Key {
    /// A key from its stored hex form.
    pub fn from_hex(text: &str) -> anyhow::Result<Key> {
        let bytes = hex::decode(text.trim())?;
        anyhow::ensure!(bytes.len() >= 32, "a signing key has at least 256 bits");
        Ok(Key(bytes))
    }

    /// A new random key in its stored hex form.
    pub fn new_hex() -> String {
        let mut bytes = [0_u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        hex::encode(bytes)
    }

    fn mac(&self, data: &[u8]) -> Vec<u8> {
        // HMAC takes a key of any length.
        let mut mac = HmacSha256::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!());
        mac.update(data);
        mac.finalize().into_bytes().to_vec()
    }

    fn verify(&self, data: &[u8], tag: &[u8]) -> bool {
        let mut mac = HmacSha256::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!());
        mac.update(data);
        mac.verify_slice(tag).is_ok()
    }

    /// `payload` as compact signed text of URL-safe characters only (`A-Z a-z 0-9 - _`, as
    /// clients copy paging links back verbatim): base64url(JSON) then base64url(HMAC), whose
    /// length is fixed.
    pub fn seal<T: Serialize>(&self, payload: &T) -> String {
        let json = serde_json::to_vec(payload).unwrap_or_default();
        let body = B64.encode(json);
        let tag = B64.encode(self.mac(body.as_bytes()));
        format!("{body}{tag}")
    }

    /// The payload of text made by [`Key::seal`] with this key; `None` if it was changed,
    /// made with another key or is not one.
    pub fn open<T: DeserializeOwned>(&self, text: &str) -> Option<T> {
        if !text.is_char_boundary(text.len().checked_sub(TAG_CHARS)?) {
            return None;
        }
        let (body, tag) = text.split_at(text.len() - TAG_CHARS);
        let tag = B64.decode(tag).ok()?;
        if !self.verify(body.as_bytes(), &tag) {
            return None;
        }
        serde_json::from_slice(&B64.decode(body).ok()?).ok()
    }
}

/// The claims of an access token (the names Entra uses).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Audience: Microsoft Graph.
    pub aud: String,
    /// Issuer: this server for the tenant.
    pub iss: String,
    /// Issued at (seconds).
    pub iat: i64,
    /// Not before (seconds).
    pub nbf: i64,
    /// Expires (seconds).
    pub exp: i64,
    /// The application (client) ID.
    pub appid: String,
    /// The service principal's object ID.
    pub oid: String,
    /// Subject (the service principal's object ID, as Entra's app tokens have it).
    pub sub: String,
    /// The tenant ID.
    pub tid: String,
    /// Application permissions.
    pub roles: Vec<String>,
    /// Token ID.
    pub uti: String,
    /// Which secret the token was issued for ([`secret_stamp`]): a new secret ends the
    /// tokens of the old one.
    pub sec: String,
}

/// A short, non-reversible stamp of a client secret's hash.
pub fn secret_stamp(secret_hash: &str) -> String {
    hex::encode(&Sha256::digest(format!("token-stamp:{secret_hash}").as_bytes())[..8])
}

const JWT_HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// A signed JWT of `claims`.
pub fn jwt(key: &Key, claims: &Claims) -> String {
    let header = B64.encode(JWT_HEADER);
    let payload = B64.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signing_input = format!("{header}.{payload}");
    let signature = B64.encode(key.mac(signing_input.as_bytes()));
    format!("{signing_input}.{signature}")
}

/// Why a token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenProblem {
    /// Not a JWT, not ours, or altered.
    Invalid,
    /// Past its expiry (or before its start).
    Expired,
}

/// The claims of a JWT made by [`jwt`] with `key`, valid at `now` (seconds).
pub fn verify_jwt(key: &Key, token: &str, now: i64) -> Result<Claims, TokenProblem> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenProblem::Invalid);
    };
    let header_json = B64.decode(header).map_err(|_| TokenProblem::Invalid)?;
    let header: serde_json::Value =
        serde_json::from_slice(&header_json).map_err(|_| TokenProblem::Invalid)?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err(TokenProblem::Invalid);
    }
    let signature = B64.decode(signature).map_err(|_| TokenProblem::Invalid)?;
    let signing_input = &token[..token.len() - token.rsplit('.').next().map_or(0, str::len) - 1];
    if !key.verify(signing_input.as_bytes(), &signature) {
        return Err(TokenProblem::Invalid);
    }
    let claims: Claims = B64
        .decode(payload)
        .ok()
        .and_then(|p| serde_json::from_slice(&p).ok())
        .ok_or(TokenProblem::Invalid)?;
    // A minute of leeway for clocks, as token libraries allow.
    if now >= claims.exp + 60 || now + 60 < claims.nbf {
        return Err(TokenProblem::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key::from_hex(&Key::new_hex()).expect("key")
    }

    fn claims(exp: i64) -> Claims {
        Claims {
            aud: "https://graph.microsoft.com".into(),
            iss: "signbook".into(),
            iat: 0,
            nbf: 0,
            exp,
            appid: "a".into(),
            oid: "o".into(),
            sub: "o".into(),
            tid: "t".into(),
            roles: vec!["AuditLog.Read.All".into()],
            uti: "u".into(),
            sec: secret_stamp("h"),
        }
    }

    #[test]
    fn a_token_verifies_until_it_expires_and_not_after_any_change() {
        let k = key();
        let token = jwt(&k, &claims(3600));
        assert_eq!(verify_jwt(&k, &token, 100), Ok(claims(3600)));
        assert_eq!(verify_jwt(&k, &token, 3700), Err(TokenProblem::Expired));
        assert_eq!(verify_jwt(&key(), &token, 100), Err(TokenProblem::Invalid));
        // Another tenant in the payload, the signature kept.
        let parts: Vec<&str> = token.split('.').collect();
        let mut forged = claims(3600);
        forged.tid = "other".into();
        let forged_payload = B64.encode(serde_json::to_vec(&forged).expect("json"));
        let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        assert_eq!(verify_jwt(&k, &forged, 100), Err(TokenProblem::Invalid));
        // alg none.
        let none = format!("{}.{}.", B64.encode(r#"{"alg":"none"}"#), parts[1]);
        assert_eq!(verify_jwt(&k, &none, 100), Err(TokenProblem::Invalid));
        assert_eq!(verify_jwt(&k, "garbage", 100), Err(TokenProblem::Invalid));
    }

    #[test]
    fn sealed_text_opens_only_unchanged_with_its_key() {
        let k = key();
        let sealed = k.seal(&("cursor", 42));
        assert_eq!(
            k.open::<(String, i64)>(&sealed),
            Some(("cursor".into(), 42))
        );
        assert_eq!(key().open::<(String, i64)>(&sealed), None);
        assert!(sealed
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        let (body, tag) = sealed.split_at(sealed.len() - TAG_CHARS);
        let other = B64.encode(serde_json::to_vec(&("cursor", 43)).expect("json"));
        assert_eq!(k.open::<(String, i64)>(&format!("{other}{tag}")), None);
        assert_eq!(k.open::<(String, i64)>(body), None);
        assert_eq!(k.open::<(String, i64)>("é"), None);
    }
}
