//! The portal's Status (Success / Failure / Interrupted), derived from `status.errorCode`, and
//! the descriptions of error codes.

use super::error_codes::ERROR_CODES;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The Status the portal shows for a sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Status {
    /// Error code 0.
    Success,
    /// Any other code.
    Failure,
    /// One of the interrupt codes: the user was asked for something more (MFA, consent, KMSI…).
    Interrupted,
}

/// Codes shown as Interrupted rather than Failure. Microsoft does not publish this list; it is
/// the third-party list in `reference/error-codes.md` §2 (the same as `samples/Status.csv`).
pub const INTERRUPT_CODES: &[i64] = &[
    16000, 16001, 16003, 50055, 50058, 50059, 50072, 50074, 50125, 50127, 50129, 50140, 50143,
    50144, 51006, 52004, 65001, 81010, 81012, 81014,
];

impl Status {
    /// All three, in the order the filter lists them.
    pub const ALL: [Status; 3] = [Status::Success, Status::Failure, Status::Interrupted];

    /// 0 is Success, an interrupt code is Interrupted, anything else is Failure.
    pub fn of_code(error_code: i64) -> Status {
        if error_code == 0 {
            Status::Success
        } else if INTERRUPT_CODES.contains(&error_code) {
            Status::Interrupted
        } else {
            Status::Failure
        }
    }

    /// The label the portal uses.
    pub fn label(self) -> &'static str {
        match self {
            Status::Success => "Success",
            Status::Failure => "Failure",
            Status::Interrupted => "Interrupted",
        }
    }

    /// Reads a label (any case).
    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL
            .into_iter()
            .find(|s| s.label().eq_ignore_ascii_case(text.trim()))
    }

    /// The small integer stored beside each record (stable: never renumber).
    pub fn code(self) -> i16 {
        match self {
            Status::Success => 0,
            Status::Failure => 1,
            Status::Interrupted => 2,
        }
    }

    /// The inverse of [`Status::code`].
    pub fn from_code(code: i16) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The symbolic name and description of an error code, if the reference knows it.
pub fn error_code_info(code: i64) -> Option<(&'static str, &'static str)> {
    ERROR_CODES
        .binary_search_by_key(&code, |(c, _, _)| *c)
        .ok()
        .map(|i| (ERROR_CODES[i].1, ERROR_CODES[i].2))
}

/// The description of an error code, if the reference knows it.
pub fn error_code_description(code: i64) -> Option<&'static str> {
    error_code_info(code).map(|(_, description)| description)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_success_interrupt_codes_are_interrupted_and_the_rest_fail() {
        assert_eq!(Status::of_code(0), Status::Success);
        assert_eq!(Status::of_code(50074), Status::Interrupted);
        assert_eq!(Status::of_code(50140), Status::Interrupted);
        assert_eq!(Status::of_code(50126), Status::Failure);
        assert_eq!(Status::of_code(53003), Status::Failure);
        assert_eq!(Status::of_code(-1), Status::Failure);
    }

    #[test]
    fn the_status_rule_agrees_with_the_published_status_table() {
        let path = crate::testdata::sample_path("Status.csv");
        let table = std::fs::read_to_string(path).expect("Status.csv is readable");
        let mut rows = 0;
        for line in table.lines().skip(1) {
            let cells: Vec<&str> = line.split("\",\"").map(|c| c.trim_matches('"')).collect();
            let code: i64 = cells[0].parse().expect("numeric code");
            let expected = Status::parse(cells[1]).expect("known status label");
            assert_eq!(Status::of_code(code), expected, "code {code}");
            rows += 1;
        }
        assert_eq!(rows, 21);
    }

    #[test]
    fn known_codes_have_descriptions_and_unknown_ones_none() {
        assert!(error_code_description(50126)
            .expect("50126 known")
            .contains("password"));
        assert_eq!(error_code_info(50053).map(|(n, _)| n), Some("IdsLocked"));
        assert!(error_code_description(1).is_none());
    }

    #[test]
    fn the_error_code_table_is_sorted_for_binary_search() {
        assert!(ERROR_CODES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn status_codes_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(s));
        }
    }
}
