//! The Download dialog: what a bundle of the current filter will hold, CSV or JSON, and the
//! progress of the download (records written of the total) with a Cancel that stops the
//! server's work. The browser saves the zip itself (a link to `GET /api/download`), so a
//! large bundle streams to disk rather than into the page's memory.

use super::state::{encode, filter_query};
use super::Ctx;
use crate::api::download::{
    cancel_download, download_plan, download_progress, ProgressReport, MAX_PER_FILE,
};
use crate::model::EventType;
use leptos::prelude::*;

/// 12345 → "12,345".
fn thousands(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

fn report_name(report: EventType) -> &'static str {
    match report {
        EventType::Interactive => "interactive",
        EventType::NonInteractive => "non-interactive",
        EventType::ServicePrincipal => "service principal",
        EventType::ManagedIdentity => "managed identity",
    }
}

/// The dialog.
#[component]
pub fn DownloadMenu(close: Callback<()>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let filter = ctx.state.with_untracked(|s| s.filter.clone());
    let now = chrono::Utc::now().timestamp_micros();
    let plan = Resource::new(move || (), {
        let filter = filter.clone();
        move |_| download_plan(filter.clone(), now)
    });
    let json = RwSignal::new(false);
    let serial = RwSignal::new(0_u32);
    let id = move || format!("{now}-{}", serial.get());
    let href = move || {
        let query = filter_query(&filter);
        format!(
            "/api/download?format={}&id={}&now={now}{}{}",
            if json.get() { "json" } else { "csv" },
            encode(&id()),
            if query.is_empty() { "" } else { "&" },
            query
        )
    };
    let active: RwSignal<Option<String>> = RwSignal::new(None);
    let progress: RwSignal<Option<ProgressReport>> = RwSignal::new(None);
    let poll = move || {
        let Some(current) = active.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Ok(p) = download_progress(current.clone()).await {
                let finished = p.done || p.cancelled || p.error.is_some();
                if active.get_untracked().as_deref() == Some(current.as_str()) {
                    progress.set(Some(p));
                    if finished {
                        active.set(None);
                        // The next download gets a new ID (changing it while the link is
                        // being followed would send the browser to the new one).
                        serial.update(|n| *n += 1);
                    }
                }
            }
        });
    };
    let timer = set_interval_with_handle(poll, std::time::Duration::from_millis(500)).ok();
    on_cleanup(move || {
        if let Some(t) = timer {
            t.clear();
        }
    });
    let start = move |ev: leptos::ev::MouseEvent| {
        // The link's own click saves the file; one download at a time from this dialog.
        if active.get_untracked().is_some() {
            ev.prevent_default();
            return;
        }
        active.set(Some(id()));
        progress.set(Some(ProgressReport::default()));
    };
    let cancel = move |_| {
        if let Some(current) = active.get_untracked() {
            leptos::task::spawn_local(async move {
                let _ = cancel_download(current).await;
            });
        }
    };
    // One view shape for every case (an `into_any` per case costs the bundle dearly).
    let summary = move || {
        plan.get().map(|result| {
            let (text, note, error) = match result {
                Ok(plan) => {
                    let parts: Vec<String> = plan
                        .reports
                        .iter()
                        .map(|r| format!("{} {}", thousands(r.included), report_name(r.report)))
                        .collect();
                    let note = (plan.left_out > 0).then(|| {
                        format!(
                            "{} matching sign-ins are left out: a file holds at most {} (the newest). Narrow the date range or filters, or use the reporting API (/beta/auditLogs/signIns) to get them all.",
                            thousands(plan.left_out),
                            thousands(MAX_PER_FILE)
                        )
                    });
                    (
                        format!("{} sign-ins: {}.", thousands(plan.total), parts.join(", ")),
                        note,
                        None,
                    )
                }
                Err(e) => (String::new(), None, Some(e.to_string())),
            };
            view! {
                <p class="download-plan">{text}</p>
                {note.map(|n| view! { <p class="inline-error" role="note">{n}</p> })}
                {error.map(|e| view! { <p class="inline-error" role="alert">{e}</p> })}
            }
        })
    };
    let status = move || {
        progress.get().map(|p| {
            let text = if let Some(e) = &p.error {
                e.clone()
            } else if p.cancelled {
                "Cancelled: the server stopped writing the bundle.".to_owned()
            } else if p.done {
                format!("Done: {} sign-ins in the bundle.", thousands(p.written))
            } else if p.total == 0 && p.written == 0 {
                "Starting…".to_owned()
            } else {
                format!(
                    "Writing {} of {} sign-ins…",
                    thousands(p.written),
                    thousands(p.total)
                )
            };
            let running = !(p.done || p.cancelled || p.error.is_some());
            view! {
                <div class="download-progress">
                    <progress max=p.total.max(1) value=p.written aria-label="Download progress"></progress>
                    <p role="status">{text}</p>
                    <Show when=move || running>
                        <button type="button" on:click=cancel>"Cancel download"</button>
                    </Show>
                </div>
            }
        })
    };
    view! {
        <div class="popover download" role="dialog" aria-label="Download">
            <p class="note">"The sign-ins the date range and filters select, from all four reports, as a zip."</p>
            <Suspense fallback=|| view! { <p class="download-plan">"Counting…"</p> }>{summary}</Suspense>
            <fieldset class="formats">
                <legend>"Format"</legend>
                <label class="radio">
                    <input type="radio" name="download-format" prop:checked=move || !json.get()
                        on:change=move |_| json.set(false)/>
                    "CSV (six files, with authentication details)"
                </label>
                <label class="radio">
                    <input type="radio" name="download-format" prop:checked=move || json.get()
                        on:change=move |_| json.set(true)/>
                    "JSON (four files of Graph signIn records)"
                </label>
            </fieldset>
            {status}
            <div class="actions">
                <a class="button primary" rel="external" download="" href=href on:click=start
                    aria-disabled=move || active.get().is_some().to_string()>"Download"</a>
                <button type="button" on:click=move |_| close.run(())>"Close"</button>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(-1234), "-1,234");
    }
}
