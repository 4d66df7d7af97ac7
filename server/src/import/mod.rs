//! `signbook import FILE…`: detects each file's format and stores its records.
//!
//! Files are read on a blocking thread and handed to the store in batches over a bounded
//! channel, so memory stays flat and parsing overlaps writing. Every record is validated by
//! the model; a bad record is reported (one line each, saying why) and the rest go on. A file
//! that cannot be read at all is an error that names it. Records are immutable and stored once
//! per Request ID, so nothing already stored is ever touched: importing again only counts
//! duplicates.

pub mod csv;
pub mod json;

use crate::ingest::RecordProblem;
use anyhow::Context;
use app::model::AuthenticationDetail;
use app::store::{NewSignIn, Store, Tenant};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Receives what a reader makes of each record.
pub trait Sink {
    /// One record, or why it was refused; `place` says where it was (`row 7`, `record 3`).
    fn item(&mut self, place: String, result: Result<NewSignIn, RecordProblem>);
}

/// The counts `import` ends with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Records stored now.
    pub imported: i64,
    /// Records the tenant already had.
    pub duplicates: i64,
    /// Records refused.
    pub rejected: i64,
    /// Files that could not be read at all.
    pub failed_files: i64,
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "imported={} duplicates={} rejected={}",
            self.imported, self.duplicates, self.rejected
        )
    }
}

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// JSON: a Graph page, an array of records, NDJSON or diagnostic records.
    Json,
    /// A CSV file of one kind.
    Csv(csv::CsvKind),
}

/// Tells a file's format from its first bytes and name.
pub fn detect(path: &Path) -> anyhow::Result<Format> {
    let mut file = std::fs::File::open(path)?;
    let mut head = vec![0_u8; 64 * 1024];
    let n = file.read(&mut head)?;
    head.truncate(n);
    let text = String::from_utf8_lossy(&head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with(b"PK\x03\x04") {
        anyhow::bail!("a zip archive inside a zip archive: unpack it first");
    }
    if text.starts_with('{') || text.starts_with('[') {
        return Ok(Format::Json);
    }
    let headers = csv::read_headers(std::fs::File::open(path)?)
        .context("not JSON, and its first line is not a CSV header")?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    csv::detect(&headers, &name).map(Format::Csv).ok_or_else(|| {
        anyhow::anyhow!(
            "not a sign-in file Signbook knows (a Graph page, JSON or NDJSON records, diagnostic records, \
             a portal CSV download or a Log Analytics CSV export)"
        )
    })
}

/// Whether a file is a zip archive (by its first bytes).
fn is_zip(path: &Path) -> bool {
    let mut head = [0_u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == b"PK\x03\x04"
}

/// Files a zip may hold, and bytes they may unpack to (a guard against zip bombs).
const MAX_ZIP_FILES: usize = 64;
const MAX_UNZIPPED_BYTES: u64 = 16 * 1024 * 1024 * 1024;

/// Unpacks a download bundle's files (by their base names) into a new temporary directory.
fn unzip(path: &Path) -> anyhow::Result<(tempfile::TempDir, Vec<PathBuf>)> {
    let file = std::fs::File::open(path)?;
    let mut archive =
        zip::ZipArchive::new(BufReader::new(file)).context("not a readable zip archive")?;
    anyhow::ensure!(
        archive.len() <= MAX_ZIP_FILES,
        "the archive holds {} files; a download bundle holds at most six",
        archive.len()
    );
    let dir = tempfile::tempdir()?;
    let mut out = Vec::new();
    let mut budget = MAX_UNZIPPED_BYTES;
    let mut seen = HashSet::new();
    for n in 0..archive.len() {
        let mut entry = archive.by_index(n)?;
        if entry.is_dir() {
            continue;
        }
        // Only the base name: an entry cannot write outside the directory.
        let name = entry
            .enclosed_name()
            .and_then(|p| p.file_name().map(|n| n.to_owned()))
            .with_context(|| format!("the archive entry {:?} has no usable name", entry.name()))?;
        // Two entries of one name (in different folders, or differing in case) would
        // overwrite each other: refuse rather than import one of them silently.
        let lower = name.to_string_lossy().to_lowercase();
        anyhow::ensure!(
            seen.insert(lower),
            "the archive holds two files named {:?}",
            name
        );
        let target = dir.path().join(name);
        let mut file = std::fs::File::create(&target)?;
        let copied = std::io::copy(&mut (&mut entry).take(budget + 1), &mut file)?;
        anyhow::ensure!(copied <= budget, "the archive unpacks to more than 16 GB");
        budget -= copied;
        out.push(target);
    }
    Ok((dir, out))
}

enum Message {
    Batch(Vec<NewSignIn>),
    Rejected(String),
}

const BATCH: usize = 50000;

/// A sink that batches records onto the channel to the writer.
struct ChannelSink {
    file: String,
    batch: Vec<NewSignIn>,
    tx: mpsc::Sender<Message>,
    /// The tenant's retention: the oldest time kept (microseconds) and the days.
    oldest: Option<(i64, i32)>,
}

impl ChannelSink {
    fn flush(&mut self) {
        if !self.batch.is_empty() {
            let batch = std::mem::take(&mut self.batch);
            // The writer only stops early on a store error, which it reports itself.
            let _ = self.tx.blocking_send(Message::Batch(batch));
        }
    }
}

impl Sink for ChannelSink {
    fn item(&mut self, place: String, result: Result<NewSignIn, RecordProblem>) {
        match result {
            Ok(record)
                if self
                    .oldest
                    .is_some_and(|(t, _)| record.index.created_at < t) =>
            {
                let days = self.oldest.map_or(0, |(_, d)| d);
                let _ = self.tx.blocking_send(Message::Rejected(format!(
                    "rejected {} {place}: older than the tenant's retention of {days} days",
                    self.file
                )));
            }
            Ok(record) => {
                self.batch.push(record);
                if self.batch.len() >= BATCH {
                    self.flush();
                }
            }
            Err(problem) => {
                let _ = self.tx.blocking_send(Message::Rejected(format!(
                    "rejected {} {place}: {problem}",
                    self.file
                )));
            }
        }
    }
}

fn progress_reader(path: &Path) -> anyhow::Result<Box<dyn BufRead + Send>> {
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let bar = if len > 8 * 1024 * 1024 && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let bar = indicatif::ProgressBar::new(len);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} [{bar:40}] {bytes}/{total_bytes} ({eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message(
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    Ok(Box::new(BufReader::with_capacity(
        256 * 1024,
        bar.wrap_read(file),
    )))
}

/// Imports files into a tenant, writing one line per rejected record to `out`. The caller
/// prints the summary.
pub async fn import_files(
    store: Arc<dyn Store>,
    tenant: &Tenant,
    paths: &[PathBuf],
    out: &mut (dyn Write + Send),
) -> anyhow::Result<ImportSummary> {
    let tenant_id = tenant.id.as_str();
    // Records the retention job would delete at once are refused, and said so.
    let oldest = tenant.retention_days.map(|days| {
        (
            chrono::Utc::now().timestamp_micros() - i64::from(days) * app::store::DAY_MICROS,
            days,
        )
    });
    let mut summary = ImportSummary::default();
    // Download bundles (zip) are unpacked into a temporary directory kept until the end.
    let mut unpacked = Vec::new();
    let mut files = Vec::new();
    for path in paths {
        if !is_zip(path) {
            files.push(path.clone());
            continue;
        }
        match unzip(path) {
            Ok((dir, inner)) => {
                files.extend(inner);
                unpacked.push(dir);
            }
            Err(e) => {
                eprintln!("error: {}: {e:#}", path.display());
                summary.failed_files += 1;
            }
        }
    }
    let paths = &files;
    let mut formats = Vec::new();
    for path in paths {
        match detect(path) {
            Ok(format) => formats.push((path.clone(), format)),
            Err(e) => {
                eprintln!("error: {}: {e:#}", path.display());
                summary.failed_files += 1;
            }
        }
    }

    // AuthDetails files first: their steps join the sign-ins of the other files.
    let mut steps: HashMap<String, Vec<AuthenticationDetail>> = HashMap::new();
    let mut step_rows: Vec<(String, csv::StepRow)> = Vec::new();
    for (path, format) in &formats {
        if *format != Format::Csv(csv::CsvKind::AuthDetails) {
            continue;
        }
        let name = path.display().to_string();
        let mut rows = Vec::new();
        let mut bad = |place: String, p: RecordProblem| {
            summary.rejected += 1;
            let _ = writeln!(out, "rejected {name} {place}: {p}");
        };
        match std::fs::File::open(path)
            .map_err(anyhow::Error::from)
            .and_then(|f| csv::read_auth_details(f, &mut steps, &mut rows, &mut bad))
        {
            Ok(()) => step_rows.extend(rows.into_iter().map(|r| (name.clone(), r))),
            Err(e) => {
                eprintln!("error: {name}: {e:#}");
                summary.failed_files += 1;
            }
        }
    }
    let steps = Arc::new(steps);
    let mut matched: HashSet<String> = HashSet::new();

    for (path, format) in formats {
        if format == Format::Csv(csv::CsvKind::AuthDetails) {
            continue;
        }
        let (tx, mut rx) = mpsc::channel::<Message>(4);
        let name = path.display().to_string();
        let steps = Arc::clone(&steps);
        let reader_name = name.clone();
        let producer = tokio::task::spawn_blocking(move || -> anyhow::Result<HashSet<String>> {
            let mut sink = ChannelSink {
                file: reader_name,
                batch: Vec::new(),
                tx,
                oldest,
            };
            let mut found = HashSet::new();
            let reader = progress_reader(&path)?;
            let result = match format {
                Format::Json => json::read(reader, &mut sink),
                Format::Csv(kind) => csv::read_signins(reader, kind, &steps, &mut found, &mut sink),
            };
            sink.flush();
            result.map(|()| found)
        });
        let mut store_error = None;
        while let Some(message) = rx.recv().await {
            match message {
                Message::Rejected(line) => {
                    summary.rejected += 1;
                    writeln!(out, "{line}")?;
                }
                Message::Batch(batch) => match store.insert_signins(tenant_id, &batch).await {
                    Ok(outcome) => {
                        summary.imported += outcome.inserted;
                        summary.duplicates += outcome.duplicates;
                    }
                    Err(e) => {
                        store_error = Some(e);
                        break;
                    }
                },
            }
        }
        drop(rx);
        let produced = producer
            .await
            .context("the file reader stopped unexpectedly")?;
        if let Some(e) = store_error {
            return Err(anyhow::anyhow!("storing records of {name}: {e}"));
        }
        match produced {
            Ok(found) => matched.extend(found),
            Err(e) => {
                eprintln!("error: {name}: {e:#}");
                summary.failed_files += 1;
            }
        }
    }

    for (file, row) in step_rows {
        if !matched.contains(&row.id_key) {
            summary.rejected += 1;
            writeln!(
                out,
                "rejected {file} {}: no sign-in with Request ID {} in the files imported with it",
                row.place, row.id_key
            )?;
        }
    }
    Ok(summary)
}
