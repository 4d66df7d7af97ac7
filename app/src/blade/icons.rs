//! Small inline SVG icons (no icon font to load; decorative, hidden from assistive technology).

use leptos::prelude::*;

/// A calendar.
#[component]
pub fn CalendarIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
            <rect x="2" y="3" width="12" height="11" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.3"/>
            <path d="M2 6.5h12M5 1.5v3M11 1.5v3" stroke="currentColor" stroke-width="1.3" fill="none"/>
        </svg>
    }
}

/// A plus sign.
#[component]
pub fn PlusIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
            <path d="M8 2.5v11M2.5 8h11" stroke="currentColor" stroke-width="1.5" fill="none"/>
        </svg>
    }
}

/// Columns.
#[component]
pub fn ColumnsIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
            <rect x="1.5" y="2.5" width="13" height="11" rx="1" fill="none" stroke="currentColor" stroke-width="1.3"/>
            <path d="M6 2.5v11M10 2.5v11" stroke="currentColor" stroke-width="1.3" fill="none"/>
        </svg>
    }
}

/// Two overlapping sheets (copy).
#[component]
pub fn CopyIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
            <rect x="5" y="5" width="8.5" height="9" rx="1" fill="none" stroke="currentColor" stroke-width="1.3"/>
            <path d="M3 11V3a1 1 0 0 1 1-1h7" stroke="currentColor" stroke-width="1.3" fill="none"/>
        </svg>
    }
}

/// A check mark (copied).
#[component]
pub fn CheckIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
            <path d="M3 8.5l3 3 7-7" stroke="currentColor" stroke-width="1.6" fill="none"/>
        </svg>
    }
}

/// An arrow down onto a tray (download).
#[component]
pub fn DownloadIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
            <path d="M8 2v8M4.5 6.5 8 10l3.5-3.5M2.5 12.5v1h11v-1" stroke="currentColor" stroke-width="1.4" fill="none"/>
        </svg>
    }
}
