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

/// An attempt over the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused {
    /// Microseconds until an attempt would be counted again.
    pub retry_after: i64,
    /// The first refusal since the key was last allowed (callers record only this one, so a
    /// flood costs them no work).
    pub first: bool,
}

#[derive(Debug, Default)]
struct Seen {
    times: VecDeque<i64>,
    refused: bool,
}

/// Attempt times per key.
#[derive(Debug)]
pub struct Limiter {
    rate: Rate,
    seen: Mutex<HashMap<String, Seen>>,
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

    /// Counts an attempt for `key` at `now`, or refuses it when it is over the limit (an
    /// attempt over the limit is not counted, so waiting always helps).
    pub fn attempt(&self, key: &str, now: i64) -> Result<(), Refused> {
        let Ok(mut seen) = self.seen.lock() else {
            return Ok(());
        };
        let from = now - self.rate.window;
        if seen.len() >= SWEEP_AT {
            seen.retain(|_, s| s.times.back().is_some_and(|t| *t > from));
        }
        let entry = seen.entry(key.to_owned()).or_default();
        while entry.times.front().is_some_and(|t| *t <= from) {
            entry.times.pop_front();
        }
        if entry.times.len() >= self.rate.max {
            let oldest = entry.times.front().copied().unwrap_or(now);
            let first = !entry.refused;
            entry.refused = true;
            return Err(Refused {
                retry_after: (oldest + self.rate.window - now).max(1),
                first,
            });
        }
        entry.refused = false;
        entry.times.push_back(now);
        Ok(())
    }
}

/// The key an address is counted under: an IPv4 address itself (also when written as an
/// IPv4-mapped IPv6 address), an IPv6 address by its /64 — one host usually holds a whole /64
/// and could otherwise take a fresh address for every attempt. Text that is not an address is
/// its own key.
pub fn address_key(ip: &str) -> String {
    match ip.trim().parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let prefix = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{prefix}/64")
            }
        },
        Ok(std::net::IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => ip.to_owned(),
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
        let refused = |retry_after, first| Err(Refused { retry_after, first });
        assert_eq!(limiter.attempt("a", 0), Ok(()));
        assert_eq!(limiter.attempt("a", 10), Ok(()));
        assert_eq!(limiter.attempt("a", 20), Ok(()));
        assert_eq!(limiter.attempt("a", 30), refused(70, true));
        assert_eq!(limiter.attempt("b", 30), Ok(()), "keys are counted apart");
        assert_eq!(
            limiter.attempt("a", 99),
            refused(1, false),
            "only the first is first"
        );
        assert_eq!(
            limiter.attempt("a", 100),
            Ok(()),
            "the first left the window"
        );
        assert_eq!(
            limiter.attempt("a", 101),
            refused(9, true),
            "first again after an allowed one"
        );
    }

    #[test]
    fn an_ipv6_host_is_counted_by_its_64_and_ipv4_by_itself() {
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            address_key("2001:db8:1:2:ffff:ffff:ffff:fffe"),
            address_key("2001:db8:1:2::9")
        );
        assert_ne!(
            address_key("2001:db8:1:2::1"),
            address_key("2001:db8:1:3::1")
        );
        assert_eq!(address_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(address_key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(address_key("unknown"), "unknown");
    }
}
