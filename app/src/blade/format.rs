//! Times as the blade shows them: in the browser's time zone (once hydrated; the server
//! renders UTC) or in UTC.

use chrono::{DateTime, Utc};

/// `2026-11-28T08:59:56.123Z` → `2026-11-28 08:59:56`, in UTC or the browser's zone.
pub fn format_time(text: &str, local: bool) -> String {
    match DateTime::parse_from_rfc3339(text) {
        Ok(t) => format_instant(t.with_timezone(&Utc), local),
        Err(_) => text.to_owned(),
    }
}

/// A time in microseconds since the epoch, as [`format_time`] shows it.
pub fn format_micros(micros: i64, local: bool) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .map(|t| format_instant(t, local))
        .unwrap_or_default()
}

fn format_instant(t: DateTime<Utc>, local: bool) -> String {
    const FORMAT: &str = "%Y-%m-%d %H:%M:%S";
    if local {
        // In the browser chrono's `Local` asks JavaScript's Date for each instant's offset,
        // so daylight saving is right for every row.
        t.with_timezone(&chrono::Local).format(FORMAT).to_string()
    } else {
        t.format(FORMAT).to_string()
    }
}

/// The value of a `datetime-local` input for a time (minutes precision).
pub fn input_value(micros: i64, local: bool) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .map(|t| {
            if local {
                t.with_timezone(&chrono::Local)
                    .format("%Y-%m-%dT%H:%M")
                    .to_string()
            } else {
                t.format("%Y-%m-%dT%H:%M").to_string()
            }
        })
        .unwrap_or_default()
}

/// Reads a `datetime-local` input's value in UTC or the browser's zone.
pub fn parse_input(value: &str, local: bool) -> Option<i64> {
    use chrono::TimeZone;
    let naive = chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    if local {
        chrono::Local
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc).timestamp_micros())
    } else {
        Some(Utc.from_utc_datetime(&naive).timestamp_micros())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times_drop_fractions_and_zone() {
        assert_eq!(
            format_time("2026-11-28T08:59:56.123Z", false),
            "2026-11-28 08:59:56"
        );
        assert_eq!(
            format_time("2026-11-28T10:59:56+02:00", false),
            "2026-11-28 08:59:56"
        );
        assert_eq!(format_time("not a time", false), "not a time");
    }

    #[test]
    fn input_values_read_back_in_utc() {
        let micros = 1_764_320_340_000_000; // 2025-11-28T08:59:00Z
        let text = input_value(micros, false);
        assert_eq!(text, "2025-11-28T08:59");
        assert_eq!(parse_input(&text, false), Some(micros));
        assert_eq!(parse_input("yesterday", false), None);
    }
}
