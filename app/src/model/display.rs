//! What the blade and the downloads show for a record: status, failure reason, location.

use super::signin::SignIn;
use super::status::{error_code_description, Status};

impl SignIn {
    /// `status.errorCode`; a record without one counts as 0 (success), as the portal's own
    /// CSV parsers read a blank code.
    pub fn error_code(&self) -> i64 {
        self.status
            .get()
            .and_then(|s| s.error_code.get().copied())
            .unwrap_or(0)
    }

    /// Success, Failure or Interrupted.
    pub fn status_kind(&self) -> Status {
        Status::of_code(self.error_code())
    }

    /// The record's own failure reason, else the description of its error code (none for a
    /// success without a reason).
    pub fn failure_reason_text(&self) -> Option<String> {
        let own = self.status.get().and_then(|s| s.failure_reason.non_empty());
        match own {
            Some(reason) => Some(reason.to_owned()),
            None if self.error_code() == 0 => None,
            None => error_code_description(self.error_code()).map(str::to_owned),
        }
    }

    /// "City, State, CC", leaving out the parts that are missing.
    pub fn location_text(&self) -> String {
        let Some(loc) = self.location.get() else {
            return String::new();
        };
        [&loc.city, &loc.state, &loc.country_or_region]
            .iter()
            .filter_map(|part| part.non_empty())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The user as the blade names them: display name, else UPN, else ID.
    pub fn user_label(&self) -> &str {
        self.user_display_name
            .non_empty()
            .or(self.user_principal_name.non_empty())
            .or(self.user_id.non_empty())
            .unwrap_or("")
    }

    /// The application as the blade names it: display name, else ID.
    pub fn app_label(&self) -> &str {
        self.app_display_name
            .non_empty()
            .or(self.app_id.non_empty())
            .unwrap_or("")
    }

    /// The resource as the blade names it: display name, else ID.
    pub fn resource_label(&self) -> &str {
        self.resource_display_name
            .non_empty()
            .or(self.resource_id.non_empty())
            .unwrap_or("")
    }

    /// The service principal (or managed identity) as the blade names it: name, else ID.
    pub fn service_principal_label(&self) -> &str {
        self.service_principal_name
            .non_empty()
            .or(self.service_principal_id.non_empty())
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: serde_json::Value) -> SignIn {
        serde_json::from_value(json).expect("valid record")
    }

    #[test]
    fn failure_reason_falls_back_to_the_code_description() {
        let own = record(
            serde_json::json!({"id":"a","createdDateTime":"2024-01-01T00:00:00Z",
            "status":{"errorCode":50126,"failureReason":"Bad password."}}),
        );
        assert_eq!(own.failure_reason_text().as_deref(), Some("Bad password."));
        let bare = record(
            serde_json::json!({"id":"a","createdDateTime":"2024-01-01T00:00:00Z",
            "status":{"errorCode":50053,"failureReason":null}}),
        );
        assert!(bare
            .failure_reason_text()
            .expect("described")
            .starts_with("Account is locked"));
        let ok = record(
            serde_json::json!({"id":"a","createdDateTime":"2024-01-01T00:00:00Z","status":{"errorCode":0}}),
        );
        assert_eq!(ok.failure_reason_text(), None);
        assert_eq!(ok.status_kind(), Status::Success);
    }

    #[test]
    fn location_reads_city_state_country_and_skips_gaps() {
        let full = record(
            serde_json::json!({"id":"a","createdDateTime":"2024-01-01T00:00:00Z",
            "location":{"city":"Melbourne","state":"Victoria","countryOrRegion":"AU"}}),
        );
        assert_eq!(full.location_text(), "Melbourne, Victoria, AU");
        let partial = record(
            serde_json::json!({"id":"a","createdDateTime":"2024-01-01T00:00:00Z",
            "location":{"city":"","state":null,"countryOrRegion":"US"}}),
        );
        assert_eq!(partial.location_text(), "US");
    }

    #[test]
    fn a_record_without_status_counts_as_success() {
        let r = record(serde_json::json!({"id":"a","createdDateTime":"2024-01-01T00:00:00Z"}));
        assert_eq!(r.status_kind(), Status::Success);
    }
}
