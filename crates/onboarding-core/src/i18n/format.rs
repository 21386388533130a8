//! Dates as each language writes them. Fluent formats messages but has no
//! calendar: the date's parts come from `time`, the month names and the
//! order of the parts from the catalog (`datetime-medium`, `month-N`,
//! `time-am`/`time-pm`), so a new language brings its own.

use super::{args, tr_in, Lang};
use fluent_bundle::FluentValue;
use time::{OffsetDateTime, UtcOffset};

/// A moment in the reader's time zone (`utc_offset_minutes`, as the page
/// reports it), e.g. "Dec 5, 2026, 9:04 AM" or "5 dic 2026, 9:04 a. m.".
/// An offset out of range is read as UTC; a timestamp out of range gives
/// an empty string.
pub fn format_datetime(lang: Lang, unix_seconds: i64, utc_offset_minutes: i32) -> String {
    let offset = UtcOffset::from_whole_seconds(utc_offset_minutes.saturating_mul(60))
        .unwrap_or(UtcOffset::UTC);
    let Ok(moment) = OffsetDateTime::from_unix_timestamp(unix_seconds) else {
        return String::new();
    };
    let local = moment.to_offset(offset);
    let hour24 = local.hour();
    let hour12 = match hour24 % 12 {
        0 => 12,
        other => other,
    };
    let period = tr_in(lang, if hour24 < 12 { "time-am" } else { "time-pm" }, None);
    let month = tr_in(lang, &format!("month-{}", u8::from(local.month())), None);
    let parts = args([
        ("month", FluentValue::from(month)),
        ("day", FluentValue::from(local.day().to_string())),
        ("year", FluentValue::from(local.year().to_string())),
        ("hour", FluentValue::from(hour12.to_string())),
        (
            "minute",
            FluentValue::from(format!("{:02}", local.minute())),
        ),
        ("period", FluentValue::from(period)),
    ]);
    tr_in(lang, "datetime-medium", Some(&parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-12-05 15:04:00 UTC.
    const AFTERNOON_UTC: i64 = 1_796_483_040;

    #[test]
    fn english_is_month_day_year_and_a_twelve_hour_clock() {
        assert_eq!(
            format_datetime(Lang::En, AFTERNOON_UTC, 0),
            "Dec 5, 2026, 3:04 PM"
        );
        // Chicago in December: UTC-6.
        assert_eq!(
            format_datetime(Lang::En, AFTERNOON_UTC, -360),
            "Dec 5, 2026, 9:04 AM"
        );
    }

    #[test]
    fn spanish_is_day_month_year_with_spanish_month_names() {
        assert_eq!(
            format_datetime(Lang::Es, AFTERNOON_UTC, 0),
            "5 dic 2026, 3:04 p. m."
        );
        assert_eq!(
            format_datetime(Lang::Es, AFTERNOON_UTC, -360),
            "5 dic 2026, 9:04 a. m."
        );
    }

    #[test]
    fn midnight_and_noon_are_twelve() {
        // 2026-01-01 00:30 and 12:30 UTC.
        let midnight = 1_767_227_400;
        assert_eq!(
            format_datetime(Lang::En, midnight, 0),
            "Jan 1, 2026, 12:30 AM"
        );
        assert_eq!(
            format_datetime(Lang::Es, midnight, 0),
            "1 ene 2026, 12:30 a. m."
        );
        let noon = midnight + 12 * 3600;
        assert_eq!(format_datetime(Lang::En, noon, 0), "Jan 1, 2026, 12:30 PM");
        assert_eq!(
            format_datetime(Lang::Es, noon, 0),
            "1 ene 2026, 12:30 p. m."
        );
    }

    #[test]
    fn every_month_has_a_name_in_both_languages() {
        for lang in Lang::ALL {
            let mut names = std::collections::BTreeSet::new();
            for month in 1..=12 {
                let id = format!("month-{month}");
                assert!(super::super::catalog(lang).has(&id), "{lang:?} lacks {id}");
                names.insert(tr_in(lang, &id, None));
            }
            assert_eq!(names.len(), 12, "{lang:?}: {names:?}");
        }
    }

    #[test]
    fn bad_input_gives_no_panic() {
        assert_eq!(format_datetime(Lang::En, i64::MAX, 0), "");
        // An offset beyond ±25 h is read as UTC.
        assert_eq!(
            format_datetime(Lang::En, AFTERNOON_UTC, i32::MAX),
            "Dec 5, 2026, 3:04 PM"
        );
    }
}
