//! Download bundles (SPEC §6): the blade's **Download** gives a zip of the four reports under
//! the current date range and filters, in the user's scope — six CSV files (the two user
//! reports with their AuthDetails files, service principal, managed identity) or four JSON
//! files (arrays of `signIn` records with their authentication steps inside).
//!
//! The zip is streamed as it is made, by three stages joined by bounded channels, so that the
//! work is spread over the cores: an async task reads pages of records from the store at one
//! snapshot; a blocking thread formats each page as CSV rows or JSON text; another compresses
//! the text into the zip, whose bytes go to the response. Nothing holds more than a few pages,
//! so memory stays flat whatever the size. When the browser goes away (or the user cancels)
//! the channels close and every stage stops.
//!
//! Each file holds at most [`MAX_PER_FILE`] records, newest first; the plan
//! ([`app::api::download::download_plan`]) tells the dialog how many will be left out, and
//! the dialog polls the progress kept in [`app::api::download::Registry`].

pub mod csv;
mod scan;

use crate::error::ApiError;
use crate::state::AppState;
use app::api::access::{Principal, Scope};
use app::api::download::registry::StartError;
use app::api::download::{plan_of, Progress, REPORTS};
use app::filter::ReportFilter;
use app::model::EventType;
use app::sort::Sort;
use app::store::{Cursor, ListQuery, StoredSignIn, MAX_PAGE};
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use std::io::Write;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use zip::write::SimpleFileOptions;

/// Bytes the zip writer gathers before handing a chunk to the response.
const CHUNK: usize = 64 * 1024;
/// Chunks waiting for the client at most (with [`CHUNK`]: 1 MB).
const CHUNKS_IN_FLIGHT: usize = 16;
/// Pages of records waiting for the formatting thread, and formatted pages waiting for the zip
/// thread, at most. (A second formatting thread was about 10% faster on the 2-core benchmark
/// machine but held up to 85 MB instead of about 30: docs/BENCHMARKS.md.)
const PAGES_IN_FLIGHT: usize = 1;

/// CSV or JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Six CSV files.
    Csv,
    /// Four JSON files.
    Json,
}

/// The request: format, download ID, the moment relative dates are taken at, the blade's
/// filter in its URL form.
struct Request {
    format: Format,
    id: String,
    now: i64,
    filter: ReportFilter,
}

fn parse_request(raw: Option<&str>, need_id: bool) -> Result<Request, ApiError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let format = match get("format") {
        Some("csv") | None => Format::Csv,
        Some("json") => Format::Json,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "'{other}' is not a download format; use csv or json."
            )))
        }
    };
    let id = get("id").unwrap_or_default().to_owned();
    if need_id
        && (id.is_empty()
            || id.len() > 64
            || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        return Err(ApiError::bad_request(
            "A download needs an id of up to 64 letters, digits and dashes.",
        ));
    }
    let now = match get("now") {
        Some(t) => t
            .parse::<i64>()
            .ok()
            .filter(|n| (1..app::api::report::MAX_NOW).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request("now is microseconds since 1970, before the year 2200")
            })?,
        None => chrono::Utc::now().timestamp_micros(),
    };
    let filter =
        ReportFilter::from_query_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    Ok(Request {
        format,
        id,
        now,
        filter,
    })
}

/// The scope of the signed-in user and their ID (progress belongs to them).
fn scope_of(
    state: &AppState,
    principal: Option<Extension<Principal>>,
) -> Result<(Scope, String), ApiError> {
    let Some(Extension(principal)) = principal else {
        return Err(ApiError::unauthorized("Sign in to download sign-ins."));
    };
    if principal.user.must_change_password {
        return Err(ApiError::unauthorized("Change your password first."));
    }
    let user = principal.user.id.clone();
    let scope =
        Scope::of(principal, state.auth.clock.now()).map_err(|_| crate::graph::licence_error())?;
    Ok((scope, user))
}

/// A store error from the shared plan, as the API answers it.
fn app_error(e: app::api::AppError) -> ApiError {
    match e {
        app::api::AppError::LicenceRequired => crate::graph::licence_error(),
        other => ApiError::internal(&other),
    }
}

/// The dates of a bundle's file names: the filter's range, else the retention window up to
/// now.
fn name_dates(scope: &Scope, request: &Request) -> (String, String) {
    let at = chrono::DateTime::from_timestamp_micros(request.now).unwrap_or_default();
    let (from, to) = request.filter.date.range(at);
    let day = |micros: i64| {
        chrono::DateTime::from_timestamp_micros(micros)
            .unwrap_or_default()
            .format("%Y-%m-%d")
            .to_string()
    };
    let from = from
        .or(scope.oldest)
        .map_or_else(|| "start".to_owned(), day);
    let to = day(to.unwrap_or(request.now));
    (from, to)
}

/// The file names of a bundle, in order, with the report each belongs to and whether it is an
/// AuthDetails file.
fn files(format: Format, dates: &(String, String)) -> Vec<(String, EventType, bool)> {
    let (from, to) = dates;
    let ext = match format {
        Format::Csv => "csv",
        Format::Json => "json",
    };
    let mut out = Vec::new();
    for report in REPORTS {
        let stem = match report {
            EventType::Interactive => "InteractiveSignIns",
            EventType::NonInteractive => "NonInteractiveSignIns",
            EventType::ServicePrincipal => "ApplicationSignIns",
            EventType::ManagedIdentity => "MSISignIns",
        };
        out.push((format!("{stem}_{from}_{to}.{ext}"), report, false));
        if format == Format::Csv && has_auth_details(report) {
            out.push((
                format!("{stem}_AuthDetails_{from}_{to}.{ext}"),
                report,
                true,
            ));
        }
    }
    out
}

/// Whether a report's CSV bundle has an AuthDetails file (the two user reports).
fn has_auth_details(report: EventType) -> bool {
    matches!(report, EventType::Interactive | EventType::NonInteractive)
}

/// What the reading task hands the formatting thread.
enum Batch {
    /// The records of a report begin.
    Start(EventType),
    /// A page of a report's records.
    Records(EventType, Vec<StoredSignIn>),
    /// The report's records end.
    End,
}

/// What the formatting thread hands the zip thread: one for each [`Batch`].
enum Formatted {
    /// The files of a report begin, with their first text (the CSV header lines).
    Start {
        report: EventType,
        main: Vec<u8>,
        steps: Vec<u8>,
    },
    /// Text for the main file and for the AuthDetails file, and how many records it holds.
    Text {
        main: Vec<u8>,
        steps: Vec<u8>,
        records: i64,
    },
    /// JSON records as they are stored: they need no formatting, and copying them into one
    /// text would only hold more memory.
    Json(Vec<StoredSignIn>),
    /// The report's files end.
    End,
}

/// How long the writer waits for a client that reads nothing before giving up.
const IDLE_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

/// A `Write` that hands the response chunks of [`CHUNK`] bytes through a bounded channel. It
/// fails once the response is gone, when the download is cancelled, or when the client has
/// read nothing for [`IDLE_LIMIT`] — so a writer thread never waits forever; a cancel is seen
/// within 100 ms even while the client reads nothing.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
    progress: Arc<Progress>,
    /// The server's runtime, to wait on the channel from the blocking thread.
    runtime: tokio::runtime::Handle,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Ok(Bytes::from(std::mem::replace(
            &mut self.buf,
            Vec::with_capacity(CHUNK),
        )));
        if self.progress.cancelled.load(Ordering::Relaxed) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "cancelled",
            ));
        }
        // Waits for room (woken as soon as the response takes a chunk), looking at the cancel
        // flag every 100 ms, at most IDLE_LIMIT in all.
        let since = std::time::Instant::now();
        loop {
            let room = self.runtime.block_on(tokio::time::timeout(
                std::time::Duration::from_millis(100),
                self.tx.reserve(),
            ));
            match room {
                Ok(Ok(permit)) => {
                    permit.send(chunk);
                    return Ok(());
                }
                Ok(Err(_)) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::BrokenPipe,
                        "the download was closed",
                    ))
                }
                Err(_) if self.progress.cancelled.load(Ordering::Relaxed) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::Interrupted,
                        "cancelled",
                    ))
                }
                Err(_) if since.elapsed() > IDLE_LIMIT => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the browser stopped reading the download",
                    ))
                }
                Err(_) => {}
            }
        }
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// Marks a download's work as ended when the writer thread leaves, however it leaves.
struct Ended(Arc<Progress>);

impl Drop for Ended {
    fn drop(&mut self) {
        self.0.ended.store(true, Ordering::Relaxed);
    }
}

/// `GET /api/download?format=csv|json&id=…&now=…&<filter>`: the zip, streamed.
pub async fn download(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (scope, owner) = scope_of(&state, principal)?;
    let request = parse_request(raw.as_deref(), true)?;
    // Counting first: the dialog shows "n of total", and each file stops at its limit.
    let plan = plan_of(state.store.as_ref(), &scope, &request.filter, request.now)
        .await
        .map_err(app_error)?;
    let total = plan.total;
    let filters: Vec<_> = plan
        .reports
        .iter()
        .map(|r| {
            let filter = scope.report_filter(r.report, &request.filter, request.now);
            (r.report, filter, r.included)
        })
        .collect();
    // Registered once the counts are in, so a failure before this point holds no slot.
    let progress = state
        .api
        .downloads
        .start(&request.id, &owner, state.auth.clock.now())
        .map_err(|e| match e {
            StartError::InUse => {
                ApiError::bad_request("This download ID is in use; start a new download.")
            }
            StartError::TooMany => ApiError::too_many_requests(10),
        })?;
    progress.total.store(total, Ordering::Relaxed);
    let dates = name_dates(&scope, &request);
    let names = files(request.format, &dates);
    let zip_name = format!(
        "SignIns_{}_{}_{}.zip",
        dates.0,
        dates.1,
        match request.format {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    );
    let format = request.format;
    let (page_tx, page_rx) = tokio::sync::mpsc::channel::<Batch>(PAGES_IN_FLIGHT);
    let (text_tx, text_rx) = std::sync::mpsc::sync_channel::<Formatted>(PAGES_IN_FLIGHT);
    let formatter_progress = Arc::clone(&progress);
    tokio::task::spawn_blocking(move || {
        if let Err(e) = format_pages(format, page_rx, &text_tx, &formatter_progress) {
            if !formatter_progress.cancelled.load(Ordering::Relaxed) {
                tracing::error!(error = %e, "formatting a download failed");
                formatter_progress.fail(format!("The download failed: {e}"));
            }
        }
    });
    let (byte_tx, byte_rx) = tokio::sync::mpsc::channel(CHUNKS_IN_FLIGHT);
    let store = Arc::clone(&state.store);
    let tenant_id = scope.tenant_id().to_owned();
    let reader_progress = Arc::clone(&progress);
    tokio::spawn(async move {
        // One snapshot for every file: records arriving meanwhile are in none of them.
        let mut snapshot = None::<i64>;
        for (report, filter, included) in filters {
            if page_tx.send(Batch::Start(report)).await.is_err() {
                return;
            }
            let mut cursor: Option<Cursor> = None;
            let mut read = 0;
            while read < included {
                // Room first, then the read: a page never waits in the reader's hands.
                let Ok(room) = page_tx.reserve().await else {
                    return;
                };
                if reader_progress.cancelled.load(Ordering::Relaxed) {
                    return;
                }
                let query = ListQuery {
                    filter: filter.clone(),
                    sort: Sort::default(),
                    limit: MAX_PAGE.min(included - read),
                    cursor: cursor.take(),
                    snapshot,
                    ..ListQuery::default()
                };
                let page = match store.list_signins(&tenant_id, &query).await {
                    Ok(page) => page,
                    Err(e) => {
                        tracing::error!(error = %e, "reading records for a download failed");
                        reader_progress.fail("Reading the records failed; try again.");
                        return;
                    }
                };
                snapshot = Some(page.snapshot);
                read += page.items.len() as i64;
                let last = page.next.is_none() || page.items.is_empty();
                cursor = page.next;
                room.send(Batch::Records(report, page.items));
                if last {
                    break;
                }
            }
            if page_tx.send(Batch::End).await.is_err() {
                return;
            }
        }
    });
    let writer_progress = Arc::clone(&progress);
    let runtime = tokio::runtime::Handle::current();
    let error_runtime = runtime.clone();
    tokio::task::spawn_blocking(move || {
        let _ended = Ended(Arc::clone(&writer_progress));
        let out = ChannelWriter {
            tx: byte_tx.clone(),
            buf: Vec::with_capacity(CHUNK),
            progress: Arc::clone(&writer_progress),
            runtime,
        };
        let result = write_zip(out, format, &names, &text_rx, &writer_progress);
        match result {
            Ok(()) if !writer_progress.cancelled.load(Ordering::Relaxed) => {
                writer_progress.done.store(true, Ordering::Relaxed);
            }
            Ok(()) => {}
            Err(e) => {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    // The browser went away: that is a cancel.
                    writer_progress.cancelled.store(true, Ordering::Relaxed);
                } else if !writer_progress.cancelled.load(Ordering::Relaxed) {
                    tracing::error!(error = %e, "writing a download failed");
                    writer_progress.fail(format!("The download failed: {e}"));
                }
                // End the response with an error, so the browser marks the file failed rather
                // than saving a truncated zip as if it were whole. (Waiting for room: with a
                // full channel, a dropped error would end the response as if it were whole.)
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    let _ = error_runtime.block_on(tokio::time::timeout(
                        std::time::Duration::from_secs(5),
                        byte_tx.send(Err(e)),
                    ));
                }
            }
        }
    });
    let body = Body::from_stream(tokio_stream_of(byte_rx));
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{zip_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&total.to_string()) {
        headers.insert("x-signbook-records", v);
    }
    Ok(response)
}

/// The receiving end of the byte channel as a stream for the response body.
fn tokio_stream_of(
    mut rx: tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

/// Formats pages of records as the files' text: the CSV header lines and rows (with the
/// AuthDetails rows apart). JSON records pass through as they are.
fn format_pages(
    format: Format,
    mut pages: tokio::sync::mpsc::Receiver<Batch>,
    out: &std::sync::mpsc::SyncSender<Formatted>,
    progress: &Progress,
) -> std::io::Result<()> {
    let gone = |_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the writer stopped");
    // The current report's plan.
    let mut plans: Option<(EventType, csv::Plan)> = None;
    while let Some(batch) = pages.blocking_recv() {
        if progress.cancelled.load(Ordering::Relaxed) {
            return Ok(());
        }
        let formatted = match batch {
            Batch::Start(report) => {
                let (mut main, mut steps) = (Vec::new(), Vec::new());
                if format == Format::Csv {
                    let mut w = ::csv::Writer::from_writer(&mut main);
                    w.write_record(csv::header(report))
                        .map_err(std::io::Error::other)?;
                    w.flush()?;
                    drop(w);
                    if has_auth_details(report) {
                        let mut w = ::csv::Writer::from_writer(&mut steps);
                        w.write_record(csv::AUTH_DETAILS_HEADER)
                            .map_err(std::io::Error::other)?;
                        w.flush()?;
                    }
                }
                Formatted::Start {
                    report,
                    main,
                    steps,
                }
            }
            Batch::Records(_, items) if format == Format::Json => Formatted::Json(items),
            Batch::Records(report, items) => {
                if plans.as_ref().is_some_and(|(r, _)| *r != report) {
                    plans = None;
                }
                let (_, plan) =
                    &*plans.get_or_insert_with(|| (report, csv::Plan::new(&csv::header(report))));
                let mut main = Vec::with_capacity(CHUNK * 4);
                let mut steps = Vec::new();
                let mut w = ::csv::Writer::from_writer(&mut main);
                let mut s = ::csv::Writer::from_writer(&mut steps);
                for item in &items {
                    let record = plan.read(&item.json).map_err(std::io::Error::other)?;
                    csv::write_row(&mut w, &record, plan).map_err(std::io::Error::other)?;
                    if has_auth_details(report) {
                        csv::write_steps(&mut s, &record, plan).map_err(std::io::Error::other)?;
                    }
                }
                w.flush()?;
                s.flush()?;
                drop((w, s));
                Formatted::Text {
                    main,
                    steps,
                    records: items.len() as i64,
                }
            }
            Batch::End => Formatted::End,
        };
        out.send(formatted).map_err(gone)?;
    }
    Ok(())
}

/// Writes the zip: one file per name, filled with the formatted text.
fn write_zip(
    out: ChannelWriter,
    format: Format,
    names: &[(String, EventType, bool)],
    texts: &std::sync::mpsc::Receiver<Formatted>,
    progress: &Progress,
) -> std::io::Result<()> {
    let mut zip = zip::ZipWriter::new_stream(out);
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true);
    let io = |e: zip::result::ZipError| match e {
        zip::result::ZipError::Io(e) => e,
        other => std::io::Error::other(other),
    };
    let stopped = || std::io::Error::other("the records stopped coming");
    let next = || texts.recv().map_err(|_| stopped());
    for report in REPORTS {
        let Formatted::Start {
            report: started,
            main: header,
            steps: steps_header,
        } = next()?
        else {
            return Err(stopped());
        };
        debug_assert_eq!(started, report);
        let main = names
            .iter()
            .find(|(_, r, auth)| *r == report && !auth)
            .map(|(n, _, _)| n.clone())
            .unwrap_or_default();
        let auth_name = names
            .iter()
            .find(|(_, r, auth)| *r == report && *auth)
            .map(|(n, _, _)| n.clone());
        zip.start_file(main, options).map_err(io)?;
        zip.write_all(&header)?;
        // AuthDetails rows wait in a temporary file until their file can start.
        let mut steps = match auth_name {
            Some(_) => {
                let mut file = std::io::BufWriter::new(tempfile::tempfile()?);
                file.write_all(&steps_header)?;
                Some(file)
            }
            None => None,
        };
        let json = format == Format::Json;
        if json {
            zip.write_all(b"[")?;
        }
        let mut first = true;
        loop {
            if progress.cancelled.load(Ordering::Relaxed) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::Interrupted,
                    "cancelled",
                ));
            }
            match next()? {
                Formatted::Text {
                    main,
                    steps: step_rows,
                    records,
                } => {
                    zip.write_all(&main)?;
                    if let Some(steps) = steps.as_mut() {
                        steps.write_all(&step_rows)?;
                    }
                    progress.written.fetch_add(records, Ordering::Relaxed);
                }
                Formatted::Json(items) => {
                    for item in &items {
                        zip.write_all(if first { b"\n" } else { b",\n" })?;
                        zip.write_all(item.json.as_bytes())?;
                        first = false;
                    }
                    progress
                        .written
                        .fetch_add(items.len() as i64, Ordering::Relaxed);
                }
                Formatted::End => break,
                Formatted::Start { .. } => return Err(stopped()),
            }
        }
        if json {
            zip.write_all(if first { b"]" } else { b"\n]\n" })?;
        }
        if let (Some(steps), Some(name)) = (steps, auth_name) {
            let mut file = steps
                .into_inner()
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            use std::io::Seek;
            file.seek(std::io::SeekFrom::Start(0))?;
            zip.start_file(name, options).map_err(io)?;
            std::io::copy(&mut file, &mut zip)?;
        }
    }
    let mut out = zip.finish().map_err(io)?.into_inner();
    out.flush()
}
