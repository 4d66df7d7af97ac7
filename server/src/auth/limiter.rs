//! Sign-in rate limits: at most N attempts per key (an IP address, an account) in a sliding
//! window. Kept in memory, per server process: behind a load balancer each instance counts
//! its own share, and the account lockout (in the database) is the limit they share.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// A limit: `max` attempts per `window` microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Attempts allowed in a window.
    pub max: usize,
    /// The window, microseconds.
    pub window: i64,
}

/// Attempt times per key.
#[derive(Debug)]
pub struct Limiter {
    rate: Rate,
    seen: Mutex<HashMap<String, VecDeque<i64>>>,
}

/// Keys kept before old ones are swept (bounds memory under a flood of distinct keys).
const SWEEP_AT: usize = 10_000;

impl Limiter {
    /// A limiter allowing `rate`.
    pub fn new(rate: Rate) -> Limiter {
        Limiter {
            rate,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt for `key` at `now`; `Err(retry_after_micros)` when it is over the
    /// limit (an attempt over the limit is not counted, so waiting always helps).
    pub fn attempt(&self, key: &str, now: i64) -> Result<(), i64> {
        let Ok(mut seen) = self.seen.lock() else {
            return Ok(());
        };
        let from = now - self.rate.window;
        if seen.len() >= SWEEP_AT {
            seen.retain(|_, times| times.back().is_some_and(|t| *t > from));
        }
        let times = seen.entry(key.to_owned()).or_default();
        while times.front().is_some_and(|t| *t <= from) {
            times.pop_front();
        }
        if times.len() >= self.rate.max {
            let oldest = times.front().copied().unwrap_or(now);
            return Err((oldest + self.rate.window - now).max(1));
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_over_the_rate_wait_until_the_oldest_leaves_the_window() {
        let limiter = Limiter::new(Rate {
            max: 3,
            window: 100,
        });
        assert_eq!(limiter.attempt("a", 0), Ok(()));
        assert_eq!(limiter.attempt("a", 10), Ok(()));
        assert_eq!(limiter.attempt("a", 20), Ok(()));
        assert_eq!(limiter.attempt("a", 30), Err(70));
        assert_eq!(limiter.attempt("b", 30), Ok(()), "keys are counted apart");
        assert_eq!(limiter.attempt("a", 99), Err(1));
        assert_eq!(
            limiter.attempt("a", 100),
            Ok(()),
            "the first left the window"
        );
        assert_eq!(limiter.attempt("a", 101), Err(9));
    }
}
