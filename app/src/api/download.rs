//! Download bundles, the browser's side: how many records each file will hold (the plan),
//! and the progress and cancelling of a download the server is streaming
//! (`GET /api/download`, in the server crate).

use super::AppError;
use crate::filter::ReportFilter;
use crate::model::EventType;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// The most records one file of a bundle holds (the portal's limit).
pub const MAX_PER_FILE: i64 = 100_000;

/// The reports of a bundle, in file order.
pub const REPORTS: [EventType; 4] = [
    EventType::Interactive,
    EventType::NonInteractive,
    EventType::ServicePrincipal,
    EventType::ManagedIdentity,
];

/// One report's share of a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanReport {
    /// The report.
    pub report: EventType,
    /// Records that match the filter in the user's scope.
    pub matching: i64,
    /// Records its file will hold.
    pub included: i64,
}

/// What a download of the current filter will hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Per report.
    pub reports: Vec<PlanReport>,
    /// Records the bundle will hold.
    pub total: i64,
    /// Matching records left out by the per-file limit.
    pub left_out: i64,
}

/// A download in progress.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressReport {
    /// Records the bundle will hold.
    pub total: i64,
    /// Records written so far.
    pub written: i64,
    /// The zip is complete.
    pub done: bool,
    /// Cancelled (by the user, or the browser went away).
    pub cancelled: bool,
    /// Why it stopped, if it failed.
    pub error: Option<String>,
}

/// How many records a download of `filter` (relative dates taken at `now`) will hold.
#[server(input = Json, endpoint = "download_plan")]
pub async fn download_plan(filter: ReportFilter, now: i64) -> Result<Plan, AppError> {
    super::report::server::answered(server::plan(filter, now).await)
}

/// The progress of the download `id` (the caller's own).
#[server(input = Json, endpoint = "download_progress")]
pub async fn download_progress(id: String) -> Result<ProgressReport, AppError> {
    super::report::server::answered(server::progress(&id))
}

/// Stops the download `id`: the server stops reading and writing it.
#[server(input = Json, endpoint = "cancel_download")]
pub async fn cancel_download(id: String) -> Result<(), AppError> {
    super::report::server::answered(server::cancel(&id))
}

#[cfg(feature = "ssr")]
pub use registry::{Progress, Registry};

/// What a download of `filter` (relative dates taken at `now`) holds in `scope`: the plan the
/// dialog shows and the counts the server's download stops each file at.
#[cfg(feature = "ssr")]
pub async fn plan_of(
    store: &dyn crate::store::Store,
    scope: &super::access::Scope,
    filter: &ReportFilter,
    now: i64,
) -> Result<Plan, AppError> {
    let mut reports = Vec::new();
    for report in REPORTS {
        let expr = scope.report_filter(report, filter, now);
        let matching = store.count_signins(scope.tenant_id(), &expr).await?;
        reports.push(PlanReport {
            report,
            matching,
            included: matching.min(MAX_PER_FILE),
        });
    }
    Ok(Plan {
        total: reports.iter().map(|r| r.included).sum(),
        left_out: reports.iter().map(|r| r.matching - r.included).sum(),
        reports,
    })
}

/// Downloads in progress (server only).
#[cfg(feature = "ssr")]
pub mod registry {
    use super::ProgressReport;
    use crate::api::AppError;
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
    use std::sync::{Arc, Mutex};

    /// One download's progress.
    #[derive(Debug, Default)]
    pub struct Progress {
        owner: String,
        started: i64,
        /// Records the bundle will hold.
        pub total: AtomicI64,
        /// Records written so far.
        pub written: AtomicI64,
        /// Complete.
        pub done: AtomicBool,
        /// Cancelled.
        pub cancelled: AtomicBool,
        /// The server's work on it has ended (its thread is gone): only then does it stop
        /// counting against the limits.
        pub ended: AtomicBool,
        /// Why it failed.
        pub failed: Mutex<Option<String>>,
    }

    impl Progress {
        /// Whether it has stopped, one way or another (what the dialog shows).
        pub fn finished(&self) -> bool {
            self.done.load(Ordering::Relaxed)
                || self.cancelled.load(Ordering::Relaxed)
                || self.failed.lock().map(|f| f.is_some()).unwrap_or(true)
        }

        /// Its state for the dialog.
        pub fn view(&self) -> ProgressReport {
            ProgressReport {
                total: self.total.load(Ordering::Relaxed),
                written: self.written.load(Ordering::Relaxed),
                done: self.done.load(Ordering::Relaxed),
                cancelled: self.cancelled.load(Ordering::Relaxed),
                error: self.failed.lock().ok().and_then(|f| f.clone()),
            }
        }

        /// Records why it failed (the first reason wins).
        pub fn fail(&self, why: impl Into<String>) {
            if let Ok(mut f) = self.failed.lock() {
                f.get_or_insert_with(|| why.into());
            }
        }

        fn working(&self) -> bool {
            !self.ended.load(Ordering::Relaxed)
        }
    }

    /// How long a finished download's progress is kept (microseconds).
    const KEEP_FINISHED: i64 = 10 * 60 * 1_000_000;
    /// Downloads one user may have the server working on at once.
    pub const MAX_RUNNING_PER_USER: usize = 3;
    /// Downloads the server works on at once, for everyone.
    pub const MAX_RUNNING: usize = 16;

    /// Downloads by user and ID.
    #[derive(Debug, Default)]
    pub struct Registry {
        map: Mutex<HashMap<(String, String), Arc<Progress>>>,
    }

    /// Why a download could not start.
    #[derive(Debug, PartialEq, Eq)]
    pub enum StartError {
        /// The user already has a download with this ID.
        InUse,
        /// The user, or everyone together, has too many running.
        TooMany,
    }

    impl Registry {
        /// Registers a download of `owner` (a user ID) at `now`.
        pub fn start(&self, id: &str, owner: &str, now: i64) -> Result<Arc<Progress>, StartError> {
            let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
            map.retain(|_, p| p.working() || now - p.started < KEEP_FINISHED);
            let key = (owner.to_owned(), id.to_owned());
            if map.contains_key(&key) {
                return Err(StartError::InUse);
            }
            let working: Vec<&Arc<Progress>> = map.values().filter(|p| p.working()).collect();
            let mine = working.iter().filter(|p| p.owner == owner).count();
            if mine >= MAX_RUNNING_PER_USER || working.len() >= MAX_RUNNING {
                return Err(StartError::TooMany);
            }
            let progress = Arc::new(Progress {
                owner: owner.to_owned(),
                started: now,
                ..Progress::default()
            });
            map.insert(key, Arc::clone(&progress));
            Ok(progress)
        }

        /// The download `id` of `owner`.
        pub fn find(&self, id: &str, owner: &str) -> Result<Arc<Progress>, AppError> {
            let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
            map.get(&(owner.to_owned(), id.to_owned()))
                .cloned()
                .ok_or(AppError::NotFound)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_download_counts_until_its_work_ends_and_ids_are_per_user() {
            let r = Registry::default();
            let a = r.start("1", "ann", 0).expect("first");
            assert_eq!(r.start("1", "ann", 0).err(), Some(StartError::InUse));
            assert!(r.start("1", "bob", 0).is_ok(), "another user's ID space");
            r.start("2", "ann", 0).expect("second");
            r.start("3", "ann", 0).expect("third");
            a.cancelled.store(true, Ordering::Relaxed);
            assert_eq!(
                r.start("4", "ann", 0).err(),
                Some(StartError::TooMany),
                "a cancelled download whose thread still runs still counts"
            );
            a.ended.store(true, Ordering::Relaxed);
            r.start("4", "ann", 0).expect("a slot again");
            assert!(r.find("1", "bob").is_ok());
            assert!(r.find("2", "bob").is_err());
        }
    }
}

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::api::access::{principal, Scope};
    use crate::api::report::server::{ctx, pinned};
    use std::sync::atomic::Ordering;

    pub async fn plan(filter: ReportFilter, now: i64) -> Result<Plan, AppError> {
        let scope = Scope::current()?;
        plan_of(ctx().store.as_ref(), &scope, &filter, pinned(now)).await
    }

    pub fn progress(id: &str) -> Result<ProgressReport, AppError> {
        let who = principal()?;
        Ok(ctx().downloads.find(id, &who.user.id)?.view())
    }

    pub fn cancel(id: &str) -> Result<(), AppError> {
        let who = principal()?;
        let p = ctx().downloads.find(id, &who.user.id)?;
        p.cancelled.store(true, Ordering::Relaxed);
        Ok(())
    }
}
