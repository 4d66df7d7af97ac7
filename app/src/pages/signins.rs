//! The sign-ins page: the newest interactive sign-ins (the report blade grows from here).

use crate::api::signins::{list_recent_signins, SignInRow};
use crate::model::EventType;
use leptos::prelude::*;

/// `2026-11-28T08:59:56.123Z` → `2026-11-28 08:59:56`.
fn short_time(text: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| text.to_owned())
}

/// The sign-ins page.
#[component]
pub fn SignInsPage() -> impl IntoView {
    let rows = Resource::new(|| (), |_| list_recent_signins(EventType::Interactive, 50));
    // Browser only: marks the page as hydrated (tests wait for it).
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <header class="topbar">
            <span class="brand">"Signbook"</span>
            <span class="crumb">"Sign-in logs"</span>
        </header>
        <main class="blade">
            <h1>"Sign-in logs"</h1>
            <p class="subtitle">"User sign-ins (interactive), newest first. Times in UTC."</p>
            <Transition fallback=|| view! { <p class="loading" role="status">"Loading sign-ins…"</p> }>
                {move || rows.get().map(|result| match result {
                    Ok(rows) if rows.is_empty() => view! { <p class="empty">"No sign-ins yet."</p> }.into_any(),
                    Ok(rows) => view! { <SignInTable rows/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{format!("Could not load sign-ins: {e}")}</p> }.into_any(),
                })}
            </Transition>
        </main>
    }
}

/// The table of sign-ins.
#[component]
fn SignInTable(rows: Vec<SignInRow>) -> impl IntoView {
    view! {
        <table class="grid" aria-label="Sign-ins">
            <thead>
                <tr>
                    <th scope="col">"Date (UTC)"</th>
                    <th scope="col">"Request ID"</th>
                    <th scope="col">"User"</th>
                    <th scope="col">"Application"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"IP address"</th>
                    <th scope="col">"Location"</th>
                    <th scope="col">"Conditional access"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let status_class = format!("status status-{}", row.status.to_lowercase());
                    view! {
                        <tr>
                            <td class="nowrap">{short_time(&row.created)}</td>
                            <td class="mono">{row.id}</td>
                            <td>{row.user}</td>
                            <td>{row.application}</td>
                            <td><span class=status_class title=format!("Error code {}", row.error_code)>{row.status}</span></td>
                            <td class="mono">{row.ip_address}</td>
                            <td>{row.location}</td>
                            <td>{row.conditional_access}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
