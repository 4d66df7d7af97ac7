//! Portal accounts and sessions (SPEC §5): signing in and out, session expiry and refresh,
//! lockout and rate limits, and the record each attempt leaves in the tenant's sign-in log.
//!
//! A session is a random token in an HttpOnly cookie; the database keeps its SHA-256 only.
//! Passwords are argon2id, checked on the blocking pool. The same answer is given for an
//! unknown user and a wrong password, and an unknown user costs the same hashing time.
//! Nothing here logs a password, a token or a cookie.

pub mod limiter;
pub mod middleware;
pub mod pages;
pub mod password;
pub mod record;

use app::api::access::Principal;
use app::store::{SessionInfo, SessionRow, Store, StoreError, Tenant, UserAccount};
use chrono::{DateTime, Utc};
use limiter::{Limiter, Rate};
use rand::RngCore;
use record::{Client, Outcome, Subject};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "signbook_session";

const MINUTE: i64 = 60_000_000;

/// Session and sign-in settings.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// A session unused this long ends (microseconds).
    pub idle: i64,
    /// A session ends this long after sign-in, used or not (microseconds).
    pub absolute: i64,
    /// A session in use is refreshed (and the refresh recorded) this often (microseconds).
    pub refresh: i64,
    /// Wrong passwords in a row that lock an account.
    pub lock_after: i32,
    /// How long a lock lasts (microseconds).
    pub lock_for: i64,
    /// Sign-in attempts per client IP.
    pub per_ip: Rate,
    /// Sign-in attempts per account name.
    pub per_account: Rate,
    /// Cookies get `Secure`: `None` decides per request (`X-Forwarded-Proto: https` from a
    /// trusted proxy).
    pub secure_cookies: Option<bool>,
    /// Trust `X-Forwarded-For` / `X-Forwarded-Proto` (set behind a reverse proxy only).
    pub trust_proxy: bool,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            idle: 60 * MINUTE,
            absolute: 12 * 60 * MINUTE,
            refresh: 10 * MINUTE,
            lock_after: 5,
            lock_for: 15 * MINUTE,
            per_ip: Rate {
                max: 30,
                window: 5 * MINUTE,
            },
            per_account: Rate {
                max: 10,
                window: 15 * MINUTE,
            },
            secure_cookies: None,
            trust_proxy: false,
        }
    }
}

/// The time: the system clock, or one a test moves.
#[derive(Clone, Debug, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock that stands still at `micros` until moved.
    pub fn manual(micros: i64) -> Clock {
        Clock(Some(Arc::new(AtomicI64::new(micros))))
    }

    /// Moves a manual clock on (no effect on the system clock).
    pub fn advance(&self, micros: i64) {
        if let Some(t) = &self.0 {
            t.fetch_add(micros, Ordering::SeqCst);
        }
    }

    /// Now, microseconds since the epoch.
    pub fn now(&self) -> i64 {
        match &self.0 {
            Some(t) => t.load(Ordering::SeqCst),
            None => Utc::now().timestamp_micros(),
        }
    }

    /// Now, as a time.
    pub fn time(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.now()).unwrap_or_default()
    }
}

/// How a sign-in attempt ended, as the form shows it.
#[derive(Debug)]
pub enum SignInResult {
    /// Signed in: the new session's token (for the cookie).
    SignedIn {
        /// The token.
        token: String,
        /// The password must be changed before anything else.
        must_change_password: bool,
    },
    /// Unknown user or wrong password: one message for both.
    Invalid,
    /// The account is locked.
    Locked,
    /// The account is disabled.
    Disabled,
    /// Too many attempts from this client or for this account; retry after (microseconds).
    TooMany(i64),
}

/// The sign-in service, shared by the router's handlers.
pub struct Auth {
    /// Settings.
    pub config: AuthConfig,
    /// The time.
    pub clock: Clock,
    by_ip: Limiter,
    by_account: Limiter,
    /// A hash checked against for unknown users, so that they cost the same time.
    decoy: String,
}

/// A new random token (256 bits, hex).
pub fn new_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored form of a session token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Auth {
    /// The service with `config` and `clock`.
    pub fn new(config: AuthConfig, clock: Clock) -> anyhow::Result<Auth> {
        Ok(Auth {
            by_ip: Limiter::new(config.per_ip),
            by_account: Limiter::new(config.per_account),
            decoy: password::hash_blocking(&new_token())?,
            config,
            clock,
        })
    }

    /// Records a portal sign-in in the tenant's log at once. A failure to record is logged
    /// and does not change the answer.
    async fn record(
        &self,
        store: &dyn Store,
        tenant: &Tenant,
        subject: &Subject<'_>,
        (outcome, interactive): (Outcome, bool),
        correlation_id: &str,
        client: &Client,
    ) {
        let new = record::signin(
            tenant,
            subject,
            outcome,
            interactive,
            correlation_id,
            client,
            self.clock.time(),
        );
        if let Err(e) = store.insert_signins(&tenant.id, &[new]).await {
            tracing::error!(tenant = %tenant.id, error = %e, "recording a portal sign-in failed");
        }
    }

    /// Checks a UPN and password and opens a session. Every attempt is recorded as an
    /// interactive sign-in of the user's tenant (for an unknown user, of the tenant whose
    /// accounts use the UPN's domain, when one does).
    pub async fn sign_in(
        &self,
        store: &dyn Store,
        upn: &str,
        password: &str,
        client: &Client,
    ) -> Result<SignInResult, StoreError> {
        let upn = upn.trim();
        let now = self.clock.now();
        let correlation_id = uuid::Uuid::new_v4().to_string();
        // Rate limits first: a refused attempt costs no hashing, and only the first refusal
        // of a run costs a lookup and a record (so a flood cannot fill a tenant's log).
        let limited = self
            .by_ip
            .attempt(&limiter::address_key(&client.ip), now)
            .and_then(|()| self.by_account.attempt(&upn.to_lowercase(), now));
        if let Err(refused) = &limited {
            if !refused.first {
                return Ok(SignInResult::TooMany(refused.retry_after));
            }
        }
        let user = if upn.is_empty() || upn.len() > 256 {
            None
        } else {
            store.find_user_by_upn(upn).await?
        };
        let tenant = match &user {
            Some(u) => store.find_tenant(&u.tenant_id).await?,
            None => match upn.rsplit_once('@') {
                Some((_, domain)) if !domain.is_empty() => {
                    store.find_tenant_by_domain(domain).await?
                }
                _ => None,
            },
        };
        let (subject_id, subject_upn, subject_name) = match &user {
            Some(u) => (u.id.clone(), u.upn.clone(), u.display_name.clone()),
            None => (String::new(), upn.to_owned(), String::new()),
        };
        let subject = Subject {
            user_id: &subject_id,
            upn: &subject_upn,
            display_name: &subject_name,
        };
        let record = |outcome: Outcome| {
            let tenant = tenant.clone();
            let subject = subject.clone();
            let correlation_id = correlation_id.clone();
            async move {
                if let Some(tenant) = &tenant {
                    self.record(
                        store,
                        tenant,
                        &subject,
                        (outcome, true),
                        &correlation_id,
                        client,
                    )
                    .await;
                }
            }
        };
        if let Err(refused) = limited {
            record(Outcome::Locked).await;
            return Ok(SignInResult::TooMany(refused.retry_after));
        }
        let Some(user) = user.filter(|_| tenant.is_some()) else {
            // The same work as a real check, and the same answer as a wrong password.
            password::verify(password.to_owned(), self.decoy.clone()).await;
            record(Outcome::UnknownUser).await;
            return Ok(SignInResult::Invalid);
        };
        if user.locked_until > now {
            password::verify(password.to_owned(), self.decoy.clone()).await;
            record(Outcome::Locked).await;
            return Ok(SignInResult::Locked);
        }
        if password.len() > password::MAX_LENGTH * 4
            || !password::verify(password.to_owned(), user.password_hash.clone()).await
        {
            self.count_wrong_password(store, &user.id, now).await?;
            record(Outcome::WrongPassword).await;
            // The same answer whether or not this failure locked the account.
            return Ok(SignInResult::Invalid);
        }
        if user.disabled {
            record(Outcome::Disabled).await;
            return Ok(SignInResult::Disabled);
        }
        if user.failed_attempts != 0 || user.locked_until != 0 {
            store.clear_failed_passwords(&user.id).await?;
        }
        // A new session every time: a token planted before sign-in is never promoted.
        let token = new_token();
        store
            .insert_session(&SessionRow {
                token_hash: token_hash(&token),
                user_id: user.id.clone(),
                csrf_token: new_token(),
                correlation_id: correlation_id.clone(),
                created_at: now,
                last_seen_at: now,
                refreshed_at: now,
            })
            .await?;
        record(if user.must_change_password {
            Outcome::PasswordExpired
        } else {
            Outcome::Success
        })
        .await;
        Ok(SignInResult::SignedIn {
            token,
            must_change_password: user.must_change_password,
        })
    }

    /// Counts a wrong password at `now`, locking the account at the configured threshold.
    async fn count_wrong_password(
        &self,
        store: &dyn Store,
        user_id: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        store
            .note_failed_password(
                user_id,
                now,
                self.config.lock_after,
                now + self.config.lock_for,
            )
            .await
            .map(|_| ())
    }

    /// Checks a signed-in user's current password (before a change), under the same
    /// per-account rate limit and wrong-password count as the sign-in form. `Err(retry)` when
    /// over the limit.
    pub async fn check_current_password(
        &self,
        store: &dyn Store,
        user: &UserAccount,
        password: &str,
    ) -> Result<Result<bool, i64>, StoreError> {
        let now = self.clock.now();
        if let Err(refused) = self.by_account.attempt(&user.upn.to_lowercase(), now) {
            return Ok(Err(refused.retry_after));
        }
        if password::verify(password.to_owned(), user.password_hash.clone()).await {
            return Ok(Ok(true));
        }
        self.count_wrong_password(store, &user.id, now).await?;
        Ok(Ok(false))
    }

    /// The principal of a session token, or `None` when the session does not exist, has
    /// expired (it is then deleted) or its account is disabled. A session in use is touched
    /// at most once a minute and refreshed every `refresh`, each refresh recorded as a
    /// non-interactive sign-in.
    pub async fn resolve(
        &self,
        store: &dyn Store,
        token: &str,
        client: &Client,
    ) -> Result<Option<Principal>, StoreError> {
        if token.len() != 64 {
            return Ok(None);
        }
        let hash = token_hash(token);
        let Some(SessionInfo {
            session,
            user,
            tenant,
        }) = store.find_session(&hash).await?
        else {
            return Ok(None);
        };
        let now = self.clock.now();
        if now - session.last_seen_at > self.config.idle
            || now - session.created_at > self.config.absolute
            || user.disabled
        {
            store.delete_session(&hash).await?;
            return Ok(None);
        }
        let refresh = now - session.refreshed_at >= self.config.refresh;
        if refresh || now - session.last_seen_at >= MINUTE {
            let refreshed_at = if refresh { now } else { session.refreshed_at };
            store.touch_session(&hash, now, refreshed_at).await?;
        }
        if refresh && !user.must_change_password {
            let subject = Subject {
                user_id: &user.id,
                upn: &user.upn,
                display_name: &user.display_name,
            };
            self.record(
                store,
                &tenant,
                &subject,
                (Outcome::Success, false),
                &session.correlation_id,
                client,
            )
            .await;
        }
        Ok(Some(Principal {
            user,
            tenant,
            csrf: session.csrf_token,
        }))
    }

    /// Ends a session.
    pub async fn sign_out(&self, store: &dyn Store, token: &str) -> Result<(), StoreError> {
        store.delete_session(&token_hash(token)).await
    }

    /// Deletes expired sessions (run now and then by the background job).
    pub async fn sweep(&self, store: &dyn Store) -> Result<u64, StoreError> {
        let now = self.clock.now();
        store
            .delete_expired_sessions(now - self.config.idle, now - self.config.absolute)
            .await
    }
}
