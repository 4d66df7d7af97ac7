//! The report blade (SPEC §4): the classic list and the Preview view with four tabs, the
//! toolbar and filters, the chart, the virtualised table and the details pane.

mod chart;
mod details;
mod download;
pub mod format;
mod grid;
mod icons;
pub mod state;
mod toolbar;

use crate::access::Viewer;
use crate::api::report::{load_portal, save_filter, save_preview, Preferences};
use crate::api::AppError;
use crate::columns::ColumnId;
use crate::model::EventType;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use state::{BladeState, TABS};

/// What the blade's parts share.
#[derive(Clone, Copy)]
pub struct Ctx {
    /// The state, read from the URL.
    pub state: Memo<BladeState>,
    /// Moves to another state (a new history entry).
    pub go: Callback<BladeState>,
    /// Times in the browser's zone (false before hydration and with the UTC switch).
    pub local: Signal<bool>,
    /// The Preview view is on.
    pub preview: RwSignal<bool>,
    /// The interactive report's columns.
    pub columns: RwSignal<Vec<ColumnId>>,
}

impl Ctx {
    /// The report shown: the tab in Preview, interactive in the classic view.
    pub fn report(&self) -> EventType {
        if self.preview.get() {
            self.state.with(|s| s.tab)
        } else {
            EventType::Interactive
        }
    }

    /// The columns of the report shown.
    pub fn report_columns(&self) -> Vec<ColumnId> {
        match self.report() {
            EventType::Interactive => self.columns.get(),
            other => ColumnId::defaults(other),
        }
    }

    /// Changes the state with `f` and moves there.
    pub fn update(&self, f: impl FnOnce(&mut BladeState)) {
        let mut next = self.state.get_untracked();
        f(&mut next);
        self.go.run(next);
    }
}

/// The sign-ins page.
#[component]
pub fn SignInsPage() -> impl IntoView {
    let portal = Resource::new(|| (), |_| load_portal());
    view! {
        <Transition fallback=|| view! {
            <TopBar viewer=None/>
            <main class="blade"><div class="skeleton-page" aria-busy="true">"Loading sign-ins…"</div></main>
        }>
            {move || portal.get().map(|p| {
                // One view type for every case (options, no type erasure): each `into_any`
                // or `Either` around the blade costs the bundle kilobytes.
                let (viewer, blade, free, error) = match p {
                    Ok(p) if p.viewer.licence.reports() => {
                        let own_only = p.viewer.own_only();
                        (Some(p.viewer), Some((p.prefs, own_only)), false, None)
                    }
                    Ok(p) => (Some(p.viewer), None, true, None),
                    Err(error) => (None, None, false, Some(error)),
                };
                view! {
                    <TopBar viewer/>
                    <main class="blade">
                        {blade.map(|(prefs, own_only)| view! { <Blade prefs own_only/> })}
                        {free.then(|| view! { <LicenceNotice/> })}
                        {error.map(|error| view! { <PortalError error/> })}
                    </main>
                }
            })}
        </Transition>
    }
}

/// Why the portal could not open: the session ended, or something failed.
#[component]
fn PortalError(error: AppError) -> impl IntoView {
    let signed_out = error == AppError::Unauthorized;
    view! {
        <p class="notice" role="alert">
            {if signed_out { "Your session has ended. ".to_owned() } else { format!("The portal could not load: {error}. ") }}
            <a href="/signin" rel="external">{if signed_out { "Sign in again" } else { "Sign in" }}</a>
        </p>
    }
}

/// What a tenant without Premium sees instead of sign-in activity.
#[component]
fn LicenceNotice() -> impl IntoView {
    view! {
        <section class="licence-notice" aria-labelledby="licence-title">
            <h1 id="licence-title">"Sign-in logs"</h1>
            <p class="notice">
                <strong>"Sign-in activity needs a Premium licence. "</strong>
                "Your organization is on the Free licence, so its sign-in reports are not available here. "
                "Sign-ins are still being recorded: once an administrator moves the tenant to Premium, "
                "those within the retention period show at once."
            </p>
        </section>
    }
}

/// The portal's top bar: the signed-in user, the admin link, sign-out.
#[component]
fn TopBar(viewer: Option<Viewer>) -> impl IntoView {
    let who = viewer.map(|v| {
        let admin_link = v.role.sees_tenant().then(|| {
            let label = if v.role.administers() {
                "Admin"
            } else {
                "Tenant settings"
            };
            view! { <a class="admin-link" href="/admin" rel="external">{label}</a> }
        });
        view! {
            <span class="who">
                <span class="who-name">{v.display_name.clone()}</span>
                <span class="who-role">{format!("{} · {}", v.tenant, v.role.label())}</span>
            </span>
            {admin_link}
            <form method="post" action="/signout" class="signout">
                <input type="hidden" name="csrf" value=v.csrf.clone()/>
                <button type="submit" class="link-button">"Sign out"</button>
            </form>
        }
    });
    view! {
        <header class="topbar">
            <span class="brand">"Signbook"</span>
            <nav aria-label="Breadcrumb" class="crumbs">
                <span>"Home"</span>
                <span aria-hidden="true">" › "</span>
                <span>"Monitoring"</span>
                <span aria-hidden="true">" › "</span>
                <span aria-current="page">"Sign-in logs"</span>
            </nav>
            {who}
        </header>
    }
}

#[component]
fn Blade(prefs: Preferences, own_only: bool) -> impl IntoView {
    let query = use_query_map();
    let state = Memo::new(move |_| {
        let pairs: Vec<(String, String)> = query
            .get()
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v))
            .collect();
        BladeState::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    });
    // Opened without a query: go to the filter this user last viewed (a redirect on the
    // server, so the URL always says what is shown).
    #[cfg(feature = "ssr")]
    if let Some(saved) = prefs.filter.as_deref().filter(|q| !q.is_empty()) {
        if query.with_untracked(|q| q.into_iter().next().is_none()) {
            leptos_axum::redirect(&format!("/?{saved}"));
        }
    }
    // Remembers the filter whenever it changes (in the browser).
    let remembered = StoredValue::new(prefs.filter.clone().unwrap_or_default());
    Effect::new(move |_| {
        let filter = state.with(|s| s.filter.clone());
        let q = state::filter_query(&filter);
        if remembered.with_value(|r| *r == q) {
            return;
        }
        remembered.set_value(q);
        leptos::task::spawn_local(async move {
            // Losing this only means the next visit opens on an older filter.
            if let Err(e) = save_filter(filter).await {
                leptos::logging::warn!("the filter was not remembered: {e}");
            }
        });
    });
    let navigate = use_navigate();
    let go = Callback::new(move |next: BladeState| {
        navigate(
            &format!("/{}", next.to_query()),
            NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    });
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| {
        hydrated.set(true);
        // Marks the page as hydrated (the browser tests wait for it).
        #[cfg(feature = "hydrate")]
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
    let local = Signal::derive(move || hydrated.get() && !state.with(|s| s.utc));
    let ctx = Ctx {
        state,
        go,
        local,
        preview: RwSignal::new(prefs.preview),
        columns: RwSignal::new(
            prefs
                .columns
                .clone()
                .unwrap_or_else(|| ColumnId::defaults(EventType::Interactive)),
        ),
    };
    provide_context(ctx);
    toolbar::provide_open();

    // Esc closes the details pane wherever the focus is.
    let esc = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && ctx.state.with_untracked(|s| s.details.is_some()) {
            ctx.update(|s| s.details = None);
        }
    });
    on_cleanup(move || esc.remove());

    let title = move || {
        if ctx.preview.get() {
            "Sign-in events"
        } else {
            "Sign-in logs"
        }
    };
    let own_note = own_only.then(|| {
        view! {
            <p class="scope-note" role="note">"You are seeing your own sign-ins only."</p>
        }
    });
    view! {
            <div class="blade-head">
                <h1>{title}</h1>
                <PreviewBar/>
            </div>
            {own_note}
            <Show when=move || ctx.preview.get()>
                <ReportTabs/>
            </Show>
            <toolbar::Toolbar/>
            <toolbar::FilterChips/>
            <chart::Chart/>
            <grid::Report/>
            <details::DetailsPane/>
    }
}

/// The Preview bar: switches between the classic list and the four tabs; the choice is saved.
#[component]
fn PreviewBar() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let saving_error = RwSignal::new(None::<String>);
    let toggle = move |_| {
        let on = !ctx.preview.get_untracked();
        ctx.preview.set(on);
        if !on
            && ctx
                .state
                .with_untracked(|s| s.tab != EventType::Interactive)
        {
            ctx.update(|s| *s = s.with_tab(EventType::Interactive));
        }
        leptos::task::spawn_local(async move {
            match save_preview(on).await {
                Ok(()) => saving_error.set(None),
                Err(e) => saving_error.set(Some(format!("Your choice was not saved: {e}"))),
            }
        });
    };
    view! {
        <button
            type="button"
            class="preview-bar"
            class:on=move || ctx.preview.get()
            aria-pressed=move || ctx.preview.get().to_string()
            on:click=toggle
        >
            <span class="preview-icon" aria-hidden="true">"✦"</span>
            {move || {
                if ctx.preview.get() {
                    "Preview on: the new sign-ins experience. Click to go back to the classic view."
                } else {
                    "Preview: try the new sign-ins experience, with non-interactive, service principal and managed identity sign-ins."
                }
            }}
        </button>
        {move || saving_error.get().map(|e| view! { <p class="inline-error" role="alert">{e}</p> })}
    }
}

/// The four report tabs (links, so they work before hydration too).
#[component]
fn ReportTabs() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    view! {
        <div class="tabs" role="tablist" aria-label="Sign-in reports">
            {TABS
                .into_iter()
                .map(|tab| {
                    let href = move || format!("/{}", ctx.state.get().with_tab(tab).to_query());
                    let selected = move || ctx.state.with(|s| s.tab == tab);
                    view! {
                        <A href=href attr:role="tab" attr:aria-selected=move || selected().to_string()
                            attr:class=move || if selected() { "tab selected" } else { "tab" }
                            scroll=false>
                            {tab.title()}
                        </A>
                    }
                })
                .collect_view()}
        </div>
    }
}
