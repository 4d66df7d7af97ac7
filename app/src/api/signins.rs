//! Listing sign-ins.

use super::AppError;
use crate::model::{EventType, SignIn};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One row of the sign-ins list, as the table shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignInRow {
    /// Request ID.
    pub id: String,
    /// `createdDateTime` as stored.
    pub created: String,
    /// User (name, else UPN, else ID).
    pub user: String,
    /// Application (name, else ID).
    pub application: String,
    /// Success / Failure / Interrupted.
    pub status: String,
    /// The error code.
    pub error_code: i64,
    /// IP address.
    pub ip_address: String,
    /// "City, State, CC".
    pub location: String,
    /// Conditional Access status.
    pub conditional_access: String,
}

impl SignInRow {
    /// The row of a record.
    pub fn of(record: &SignIn) -> SignInRow {
        SignInRow {
            id: record.id.clone(),
            created: record.created_date_time.as_str().to_owned(),
            user: record.user_label().to_owned(),
            application: record.app_label().to_owned(),
            status: record.status_kind().label().to_owned(),
            error_code: record.error_code(),
            ip_address: record.ip_address.as_deref().unwrap_or_default().to_owned(),
            location: record.location_text(),
            conditional_access: record
                .conditional_access_status
                .get()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
        }
    }
}

/// The newest sign-ins of one report (the first page of the blade).
#[server]
pub async fn list_recent_signins(
    event_type: EventType,
    limit: i64,
) -> Result<Vec<SignInRow>, AppError> {
    use crate::filter::report_expr;
    use crate::store::{ListQuery, Sort};
    let ctx = expect_context::<super::ServerContext>();
    let query = ListQuery {
        filter: report_expr(event_type),
        sort: Sort::default(),
        limit: limit.clamp(1, 200),
        cursor: None,
        offset: 0,
        snapshot: None,
    };
    let page = ctx.store.list_signins(&ctx.portal_tenant, &query).await?;
    page.items
        .iter()
        .map(|stored| {
            serde_json::from_str::<SignIn>(&stored.json)
                .map(|r| SignInRow::of(&r))
                .map_err(|e| AppError::internal(&e))
        })
        .collect()
}
