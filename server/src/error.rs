//! The error envelope of the HTTP APIs (ingest now, the Graph API later): Graph's
//! `{"error": {"code", "message", "details"}}`. Internal errors are logged once with an ID;
//! the client sees only the ID.

use app::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

/// One problem with one part of a request (a record and field of an ingest).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorDetail {
    /// A short code (`InvalidRecord`).
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// The record's index in the request (0-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// The line of an NDJSON body (1-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The field path inside the record (`status.errorCode`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// An API error: an HTTP status and Graph's error body.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// Graph-style code (`BadRequest`, `InvalidAuthenticationToken`, …).
    pub code: &'static str,
    /// A sentence for people.
    pub message: String,
    /// Per-part problems.
    pub details: Vec<ErrorDetail>,
    /// Seconds to wait before trying again (429), sent as `Retry-After`.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error without details.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
        }
    }

    /// 403.
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, code, message)
    }

    /// 429 with `Retry-After`.
    pub fn too_many_requests(retry_after_secs: u64) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            format!("Too many requests; retry after {retry_after_secs} seconds."),
        );
        e.retry_after = Some(retry_after_secs);
        e
    }

    /// 401: no valid credentials.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
    }

    /// 400.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// 500: logs the cause once under a new ID and tells the client only the ID.
    pub fn internal(cause: &dyn std::fmt::Display) -> ApiError {
        let id = uuid::Uuid::new_v4();
        tracing::error!(error_id = %id, error = %cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            format!("Something went wrong on our side; quote error ID {id} to your administrator."),
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "Request_ResourceNotFound",
                "Not found.",
            ),
            StoreError::Invalid(m) => ApiError::bad_request(m),
            StoreError::Unavailable(m) => {
                let mut e =
                    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "ServiceNotAvailable", m);
                e.retry_after = Some(60);
                e
            }
            other => ApiError::internal(&other),
        }
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "<[ErrorDetail]>::is_empty")]
    details: &'a [ErrorDetail],
    #[serde(rename = "innerError")]
    inner_error: Inner,
}

/// Graph's `innerError`: when, and an ID to find the request by in the log.
#[derive(Serialize)]
struct Inner {
    date: String,
    #[serde(rename = "request-id")]
    request_id: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Envelope {
            error: Body {
                code: self.code,
                message: &self.message,
                details: &self.details,
                inner_error: Inner {
                    date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    request_id: uuid::Uuid::new_v4().to_string(),
                },
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_become_graph_errors() {
        let e = ApiError::from(StoreError::Invalid("bad filter".into()));
        assert_eq!((e.status, e.code), (StatusCode::BAD_REQUEST, "BadRequest"));
        let response =
            ApiError::from(StoreError::Unavailable("still indexing".into())).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers().get(axum::http::header::RETRY_AFTER),
            Some(&axum::http::HeaderValue::from(60_u64))
        );
        let e = ApiError::from(StoreError::Backend("disk on fire".into()));
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.message.contains("disk on fire"), "{}", e.message);
    }
}
