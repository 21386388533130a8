use super::DeskError;
use crate::store::{EnrollmentQuery, EnrollmentStatus};
use serde::Deserialize;
use time::{Date, Duration, OffsetDateTime, Time, UtcOffset};

/// Longest range the list or an export covers at once.
const MAX_DAYS: i64 = 366;
/// Rows the list shows at most (newest first); exports are not limited.
const LIST_LIMIT: u32 = 500;
const MAX_SEARCH_CHARS: usize = 100;

/// Whole days in the staff member's time zone, both ends included, as the
/// page's date inputs give them (`YYYY-MM-DD`), with the page's offset from
/// UTC in minutes (east positive).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DateRange {
    pub from: String,
    pub to: String,
    pub utc_offset_minutes: i32,
}

/// The statuses as the list groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusGroup {
    All,
    Linked,
    WaitingForCode,
    /// Started, at the bank step, or the bank window closed.
    Unfinished,
    NeedsReview,
    Failed,
    Cancelled,
}

impl StatusGroup {
    fn statuses(self) -> Vec<EnrollmentStatus> {
        use EnrollmentStatus::*;
        match self {
            StatusGroup::All => vec![],
            StatusGroup::Linked => vec![Linked],
            StatusGroup::WaitingForCode => vec![WaitingForCode],
            StatusGroup::Unfinished => vec![Started, Linking, Finishing, WidgetClosed],
            StatusGroup::NeedsReview => vec![NeedsReview],
            StatusGroup::Failed => vec![Failed],
            StatusGroup::Cancelled => vec![Cancelled],
        }
    }

    pub fn parse(text: &str) -> Result<Self, DeskError> {
        serde_json::from_value(serde_json::Value::String(text.to_owned()))
            .map_err(|_| DeskError::BadStatus(text.chars().take(40).collect()))
    }
}

/// What the desk list shows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeskFilter {
    #[serde(flatten)]
    pub range: DateRange,
    pub status: String,
    #[serde(default)]
    pub text: String,
}

impl DateRange {
    /// `[from, to)` in unix seconds: midnight starting `from` to midnight
    /// ending `to`, in the page's time zone.
    pub fn bounds(&self) -> Result<(i64, i64), DeskError> {
        let offset = UtcOffset::from_whole_seconds(self.utc_offset_minutes.saturating_mul(60))
            .ok()
            .filter(|_| self.utc_offset_minutes.abs() <= 14 * 60)
            .ok_or(DeskError::BadOffset)?;
        let from = parse_day("start", &self.from)?;
        let to = parse_day("end", &self.to)?;
        if from > to {
            return Err(DeskError::BackwardsRange);
        }
        if (to - from).whole_days() >= MAX_DAYS {
            return Err(DeskError::RangeTooLong { max_days: MAX_DAYS });
        }
        let start = OffsetDateTime::new_in_offset(from, Time::MIDNIGHT, offset);
        let end = OffsetDateTime::new_in_offset(to, Time::MIDNIGHT, offset) + Duration::days(1);
        Ok((start.unix_timestamp(), end.unix_timestamp()))
    }
}

fn parse_day(field: &'static str, value: &str) -> Result<Date, DeskError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(value.trim(), &format).map_err(|_| DeskError::BadDate {
        field,
        value: value.chars().take(20).collect(),
    })
}

impl DeskFilter {
    pub fn query(&self) -> Result<EnrollmentQuery, DeskError> {
        let (from, to) = self.range.bounds()?;
        let text = self.text.trim();
        if text.chars().count() > MAX_SEARCH_CHARS {
            return Err(DeskError::SearchTooLong {
                max: MAX_SEARCH_CHARS,
            });
        }
        Ok(EnrollmentQuery {
            from,
            to,
            statuses: StatusGroup::parse(&self.status)?.statuses(),
            text: Some(text.to_owned()).filter(|t| !t.is_empty()),
            limit: LIST_LIMIT,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(from: &str, to: &str, offset: i32) -> DateRange {
        DateRange {
            from: from.into(),
            to: to.into(),
            utc_offset_minutes: offset,
        }
    }

    #[test]
    fn days_are_whole_and_local() {
        // 2026-11-25 00:00 in Chicago (UTC-6) is 06:00 UTC.
        let (from, to) = range("2026-11-25", "2026-11-25", -360).bounds().unwrap();
        assert_eq!(from, 1_795_586_400);
        assert_eq!(to - from, 86_400);
        let (_, to) = range("2026-11-01", "2026-11-25", 0).bounds().unwrap();
        assert_eq!(
            to,
            OffsetDateTime::parse(
                "2026-11-26T00:00:00Z",
                &time::format_description::well_known::Rfc3339
            )
            .unwrap()
            .unix_timestamp()
        );
    }

    #[test]
    fn bad_ranges_say_what_to_fix() {
        let code = |r: DateRange| r.bounds().unwrap_err().code();
        assert_eq!(code(range("2026-13-01", "2026-11-25", 0)), "DESK_BAD_DATE");
        assert_eq!(code(range("", "2026-11-25", 0)), "DESK_BAD_DATE");
        assert_eq!(code(range("25/11/2026", "2026-11-25", 0)), "DESK_BAD_DATE");
        assert_eq!(
            code(range("2026-11-26", "2026-11-25", 0)),
            "DESK_BACKWARDS_RANGE"
        );
        assert_eq!(
            code(range("2020-01-01", "2026-11-25", 0)),
            "DESK_RANGE_TOO_LONG"
        );
        assert_eq!(
            code(range("2026-11-25", "2026-11-25", 900)),
            "DESK_BAD_OFFSET"
        );
        assert_eq!(
            code(range("2026-11-25", "2026-11-25", i32::MIN)),
            "DESK_BAD_OFFSET"
        );
    }

    #[test]
    fn status_groups_and_search_text() {
        let filter = |status: &str, text: &str| DeskFilter {
            range: range("2026-11-25", "2026-11-25", 0),
            status: status.into(),
            text: text.into(),
        };
        let query = filter("unfinished", "  ada ").query().unwrap();
        assert_eq!(query.text.as_deref(), Some("ada"));
        // Started, at the bank step, finishing the link, the bank window closed.
        assert_eq!(query.statuses.len(), 4);
        let review = filter("needs_review", "").query().unwrap();
        assert_eq!(review.statuses, [EnrollmentStatus::NeedsReview]);
        assert!(filter("all", " ").query().unwrap().statuses.is_empty());
        assert_eq!(filter("all", " ").query().unwrap().text, None);
        assert_eq!(
            filter("deleted", "").query().unwrap_err().code(),
            "DESK_BAD_STATUS"
        );
        assert_eq!(
            filter("all", &"x".repeat(101)).query().unwrap_err().code(),
            "DESK_SEARCH_TOO_LONG"
        );
    }
}
