//! The details pane ("Activity Details: Sign-ins"): a dialog over the blade with the sections of
//! SPEC §4.4 as tabs. Its Request ID is in the URL (`details=`), so it can be shared and Back
//! closes it; Esc and the Close button close it too.

use super::format::format_time;
use super::grid::CopyText;
use super::Ctx;
use crate::api::report::{load_signin_details, DetailSection, SignInDetails};
use leptos::prelude::*;

/// The pane, shown while the URL names a sign-in.
#[component]
pub fn DetailsPane() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let id = Memo::new(move |_| ctx.state.with(|s| s.details.clone()));
    let details = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => load_signin_details(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let close = move || ctx.update(|s| s.details = None);
    view! {
        <Show when=move || id.with(Option::is_some)>
            <div class="backdrop" on:click=move |_| close()></div>
            <section class="details" role="dialog" aria-modal="true" aria-labelledby="details-title">
                <header class="details-head">
                    <h2 id="details-title">"Activity Details: Sign-ins"</h2>
                    <button type="button" class="close" aria-label="Close" autofocus on:click=move |_| close()>"✕"</button>
                </header>
                <Transition fallback=|| view! { <p class="loading" role="status">"Loading details…"</p> }>
                    {move || details.get().map(|result| match result {
                        Ok(Some(d)) => view! { <DetailsBody details=d/> }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(crate::api::AppError::NotFound) => view! {
                            <p class="inline-error" role="alert">"No sign-in with this Request ID is stored (it may be outside the retention period)."</p>
                        }.into_any(),
                        Err(e) => view! {
                            <div class="error-state" role="alert">
                                <p>{format!("The details could not be loaded: {e}")}</p>
                                <button type="button" class="primary" on:click=move |_| details.refetch()>"Retry"</button>
                            </div>
                        }.into_any(),
                    })}
                </Transition>
            </section>
        </Show>
    }
}

#[component]
fn DetailsBody(details: SignInDetails) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let tab = RwSignal::new(0_usize);
    let names: Vec<String> = details.sections.iter().map(|s| s.name.clone()).collect();
    let n = names.len();
    let created = details.created.clone();
    let status_class = format!("status status-{}", details.status.to_lowercase());
    let sections = StoredValue::new(details.sections);
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let next = match ev.key().as_str() {
            "ArrowRight" => (tab.get_untracked() + 1) % n,
            "ArrowLeft" => (tab.get_untracked() + n - 1) % n,
            _ => return,
        };
        ev.prevent_default();
        tab.set(next);
        if let Some(el) = leptos::web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&format!("details-tab-{next}")))
        {
            use leptos::wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<leptos::web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    };
    view! {
        <p class="details-summary">
            <span>{move || format_time(&created, ctx.local.get())}</span>
            " · "<span class=status_class>{details.status.clone()}</span>
            " · Request ID "<span class="mono">{details.id.clone()}</span>
        </p>
        <div class="details-tabs" role="tablist" aria-label="Sign-in details" on:keydown=on_keydown>
            {names.into_iter().enumerate().map(|(i, name)| view! {
                <button type="button" role="tab" id=format!("details-tab-{i}")
                    aria-selected=move || (tab.get() == i).to_string()
                    aria-controls="details-panel"
                    tabindex=move || if tab.get() == i { "0" } else { "-1" }
                    on:click=move |_| tab.set(i)>{name}</button>
            }).collect_view()}
        </div>
        <div class="details-panel" id="details-panel" role="tabpanel"
            aria-labelledby=move || format!("details-tab-{}", tab.get())>
            {move || sections.with_value(|all| all.get(tab.get()).cloned()).map(|s| view! { <Section section=s/> })}
        </div>
    }
}

#[component]
fn Section(section: DetailSection) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let show_empty = section.table.is_none()
        && !section.empty.is_empty()
        && (section.items.is_empty() || section.lists_table);
    let items = section
        .items
        .into_iter()
        .map(|item| {
            let value = if item.value.is_empty() {
                view! { <span class="muted">"—"</span> }.into_any()
            } else if item.copy {
                view! { <span class="mono"><CopyText label=item.label.clone() text=item.value/></span> }.into_any()
            } else if item.label == "Date" {
                let text = item.value;
                view! { <span>{move || format_time(&text, ctx.local.get())}</span> }.into_any()
            } else {
                view! { <span>{item.value}</span> }.into_any()
            };
            view! { <dt>{item.label}</dt><dd>{value}</dd> }
        })
        .collect_view();
    let table = section.table.map(|t| {
        // A "Date" column holds stored times: shown like every other time.
        let date_col = t.headers.iter().position(|h| h == "Date");
        view! {
            <table class="detail-table">
                <thead><tr>{t.headers.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {t.rows.into_iter().map(|r| view! {
                        <tr>{r.into_iter().enumerate().map(|(i, c)| {
                            if Some(i) == date_col && !c.is_empty() {
                                view! { <td class="nowrap">{move || format_time(&c, ctx.local.get())}</td> }.into_any()
                            } else {
                                view! { <td>{c}</td> }.into_any()
                            }
                        }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    });
    let empty_text = show_empty.then(|| view! { <p class="muted">{section.empty.clone()}</p> });
    view! {
        <dl class="kv">{items}</dl>
        {table}
        {empty_text}
    }
}
