//! The toolbar (Date, Add filters, Columns, Time aggregate, Local/UTC) and the filter chips.

use super::format::{input_value, parse_input};
use super::state::{FilterField, FilterKind};
use super::Ctx;
use crate::api::report::save_columns;
use crate::columns::ColumnId;
use crate::filter::DateFilter;
use crate::grouping::TimeAggregate;
use crate::model::EventType;
use leptos::prelude::*;

/// Which popover is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Popover {
    Date,
    AddFilters,
    Columns,
    Download,
    Filter(FilterField),
}

/// The open popover, shared by the toolbar and the chips.
#[derive(Clone, Copy)]
struct Open(RwSignal<Option<Popover>>);

/// Provides the open-popover state to the toolbar and the chips (call in their parent).
pub fn provide_open() {
    provide_context(Open(RwSignal::new(None)));
}

fn open_ctx() -> Open {
    expect_context::<Open>()
}

/// The toolbar.
#[component]
pub fn Toolbar() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let open = open_ctx();
    let esc = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            open.0.set(None);
        }
    });
    on_cleanup(move || esc.remove());
    let date_label = move || {
        ctx.state.with(|s| match s.filter.date {
            DateFilter::Custom { start, end } => {
                let local = ctx.local.get();
                let f = |m: Option<i64>| {
                    m.map(|m| super::format::format_micros(m, local))
                        .unwrap_or_else(|| "…".to_owned())
                };
                format!("Date: {} – {}", f(start), f(end))
            }
            other => format!("Date: {}", other.label()),
        })
    };
    let grouped = move || ctx.report().is_grouped();
    view! {
        <div class="toolbar" role="toolbar" aria-label="Sign-in report tools">
            {tool_popover(Popover::Date, "dialog", view! { <super::icons::CalendarIcon/>{date_label} }, || view! { <DateMenu/> }.into_any())}
            {tool_popover(Popover::AddFilters, "menu", view! { <super::icons::PlusIcon/>"Add filters" }, || view! { <AddFiltersMenu/> }.into_any())}
            {tool_popover(Popover::Columns, "dialog", view! { <super::icons::ColumnsIcon/>"Columns" }, || view! { <ColumnsPicker/> }.into_any())}
            <Show when=grouped>
                <label class="tool select">
                    "Time aggregate"
                    <select on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some(agg) = TimeAggregate::from_url_value(&v) {
                            ctx.update(|s| s.aggregate = agg);
                        }
                    }>
                        {TimeAggregate::ALL
                            .into_iter()
                            .map(|a| {
                                view! {
                                    <option value=a.url_value()
                                        selected=move || ctx.state.with(|s| s.aggregate == a)>
                                        {a.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            </Show>
            <span class="spacer"></span>
            {tool_popover(Popover::Download, "dialog", view! { <super::icons::DownloadIcon/>"Download" }, || {
                let open = open_ctx();
                view! { <super::download::DownloadMenu close=Callback::new(move |_| open.0.set(None))/> }.into_any()
            })}
            <div class="segmented" role="group" aria-label="Time zone">
                <button type="button" aria-pressed=move || (!ctx.state.with(|s| s.utc)).to_string()
                    on:click=move |_| ctx.update(|s| s.utc = false)>"Local"</button>
                <button type="button" aria-pressed=move || ctx.state.with(|s| s.utc).to_string()
                    on:click=move |_| ctx.update(|s| s.utc = true)>"UTC"</button>
            </div>
        </div>
    }
}

/// A toolbar button that opens and closes one popover below it.
fn tool_popover(
    which: Popover,
    haspopup: &'static str,
    label: impl IntoView + 'static,
    popup: fn() -> AnyView,
) -> impl IntoView {
    let open = open_ctx();
    view! {
        <div class="anchor">
            <button type="button" class="tool" aria-haspopup=haspopup
                aria-expanded=move || (open.0.get() == Some(which)).to_string()
                on:click=move |_| open.0.update(|o| {
                    *o = if *o == Some(which) { None } else { Some(which) };
                })>
                {label}
            </button>
            <Show when=move || open.0.get() == Some(which)>{popup()}</Show>
        </div>
    }
}

/// The Date popover: three presets and a custom range.
#[component]
fn DateMenu() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let open = open_ctx();
    let current = ctx.state.get_untracked().filter.date;
    let custom = RwSignal::new(matches!(current, DateFilter::Custom { .. }));
    let local = ctx.local.get_untracked();
    let now = chrono::Utc::now().timestamp_micros();
    let (start0, end0) = match current {
        DateFilter::Custom { start, end } => (start, end),
        other => other.range(chrono::Utc::now()),
    };
    let start = RwSignal::new(input_value(start0.unwrap_or(now - 86_400_000_000), local));
    let end = RwSignal::new(input_value(end0.unwrap_or(now), local));
    let error = RwSignal::new(None::<&'static str>);
    let pick = move |date: DateFilter| {
        open.0.set(None);
        ctx.update(|s| s.filter.date = date);
    };
    let apply_custom = move |_| {
        let (s, e) = (
            parse_input(&start.get_untracked(), local),
            parse_input(&end.get_untracked(), local),
        );
        match (s, e) {
            (Some(s), Some(e)) if s < e => {
                error.set(None);
                pick(DateFilter::Custom {
                    start: Some(s),
                    end: Some(e),
                });
            }
            (Some(_), Some(_)) => error.set(Some("The start must be before the end.")),
            _ => error.set(Some("Enter a start and an end date and time.")),
        }
    };
    let presets = [
        DateFilter::LastMonth,
        DateFilter::Last7Days,
        DateFilter::Last24Hours,
    ];
    view! {
        <div class="popover" role="dialog" aria-label="Date range">
            <fieldset>
                <legend>"Date range"</legend>
                {presets
                    .into_iter()
                    .map(|p| {
                        view! {
                            <label class="radio">
                                <input type="radio" name="date-range"
                                    checked=!custom.get_untracked() && current == p
                                    on:change=move |_| pick(p)/>
                                {p.label()}
                            </label>
                        }
                    })
                    .collect_view()}
                <label class="radio">
                    <input type="radio" name="date-range" checked=custom.get_untracked()
                        on:change=move |_| custom.set(true)/>
                    "Custom"
                </label>
            </fieldset>
            <Show when=move || custom.get()>
                <div class="custom-range">
                    <label>
                        {if local { "Start (local time)" } else { "Start (UTC)" }}
                        <input type="datetime-local" prop:value=move || start.get()
                            on:input=move |ev| start.set(event_target_value(&ev))/>
                    </label>
                    <label>
                        {if local { "End (local time)" } else { "End (UTC)" }}
                        <input type="datetime-local" prop:value=move || end.get()
                            on:input=move |ev| end.set(event_target_value(&ev))/>
                    </label>
                    {move || error.get().map(|e| view! { <p class="inline-error" role="alert">{e}</p> })}
                    <div class="actions">
                        <button type="button" class="primary" on:click=apply_custom>"Apply"</button>
                        <button type="button" on:click=move |_| open.0.set(None)>"Cancel"</button>
                    </div>
                </div>
            </Show>
        </div>
    }
}

/// The Add filters menu: every filter not yet set.
#[component]
fn AddFiltersMenu() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let open = open_ctx();
    let available = move || {
        let f = ctx.state.with(|s| s.filter.clone());
        FilterField::ALL
            .into_iter()
            .filter(|field| !field.is_set(&f))
            .collect::<Vec<_>>()
    };
    view! {
        <div class="popover menu" role="menu" aria-label="Add filters">
            {move || {
                available()
                    .into_iter()
                    .map(|field| {
                        view! {
                            <button type="button" role="menuitem"
                                on:click=move |_| open.0.set(Some(Popover::Filter(field)))>
                                {field.label()}
                            </button>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}

/// The active filters as chips, and the editor of the one being changed.
#[component]
pub fn FilterChips() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let open = open_ctx();
    let chips = move || {
        let f = ctx.state.with(|s| s.filter.clone());
        let editing = match open.0.get() {
            Some(Popover::Filter(field)) => Some(field),
            _ => None,
        };
        FilterField::ALL
            .into_iter()
            .filter(|field| field.is_set(&f) || editing == Some(*field))
            .map(|field| (field, field.is_set(&f).then(|| field.summary(&f))))
            .collect::<Vec<_>>()
    };
    view! {
        <div class="chips" aria-label="Active filters" role="group">
            {move || {
                chips()
                    .into_iter()
                    .map(|(field, summary)| {
                        let editing = move || open.0.get() == Some(Popover::Filter(field));
                        let text = summary.clone().unwrap_or_else(|| format!("{}: (choose)", field.label()));
                        view! {
                            <span class="chip anchor" class:draft=summary.is_none()>
                                <button type="button" class="chip-body"
                                    aria-label=format!("Edit filter: {text}")
                                    aria-expanded=move || editing().to_string()
                                    on:click=move |_| open.0.update(|o| {
                                        *o = if *o == Some(Popover::Filter(field)) { None } else { Some(Popover::Filter(field)) };
                                    })>
                                    {text.clone()}
                                </button>
                                <button type="button" class="chip-remove"
                                    aria-label=format!("Remove {} filter", field.label())
                                    on:click=move |_| {
                                        open.0.set(None);
                                        ctx.update(|s| field.clear(&mut s.filter));
                                    }>"×"</button>
                                <Show when=editing>
                                    <FilterEditor field/>
                                </Show>
                            </span>
                        }
                    })
                    .collect_view()
            }}
            <Show when=move || ctx.state.with(|s| FilterField::ALL.iter().any(|f| f.is_set(&s.filter)))>
                <button type="button" class="link" on:click=move |_| {
                    open.0.set(None);
                    ctx.update(|s| {
                        for f in FilterField::ALL {
                            f.clear(&mut s.filter);
                        }
                    });
                }>"Reset filters"</button>
            </Show>
        </div>
    }
}

/// Edits one filter: a text box, or checkboxes for a fixed list.
#[component]
fn FilterEditor(field: FilterField) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let open = open_ctx();
    let filter = ctx.state.get_untracked().filter;
    let text = RwSignal::new(field.text(&filter).unwrap_or_default());
    let selected = RwSignal::new(field.selected(&filter));
    let apply = move || {
        open.0.set(None);
        ctx.update(|s| match field.kind() {
            FilterKind::Text { .. } => field.set_text(&mut s.filter, &text.get_untracked()),
            FilterKind::Multi => field.set_selected(&mut s.filter, &selected.get_untracked()),
        });
    };
    let input_ref = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = input_ref.get() {
            let _ = input.focus();
        }
    });
    let body = match field.kind() {
        FilterKind::Text { .. } => view! {
            <label class="field">
                {field.hint()}
                <input type="text" node_ref=input_ref prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                    on:keydown=move |ev| if ev.key() == "Enter" { apply() }/>
            </label>
        }
        .into_any(),
        FilterKind::Multi => view! {
            <fieldset>
                <legend>{field.label()}</legend>
                {field
                    .options()
                    .into_iter()
                    .map(|(value, label)| {
                        let v = value.clone();
                        let checked = selected.get_untracked().iter().any(|s| s.eq_ignore_ascii_case(&value));
                        view! {
                            <label class="check">
                                <input type="checkbox" checked=checked on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let v = v.clone();
                                    selected.update(|sel| {
                                        sel.retain(|s| !s.eq_ignore_ascii_case(&v));
                                        if on {
                                            sel.push(v);
                                        }
                                    });
                                }/>
                                {label}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
        }
        .into_any(),
    };
    view! {
        <div class="popover editor" role="dialog" aria-label=format!("{} filter", field.label())>
            {body}
            <div class="actions">
                <button type="button" class="primary" on:click=move |_| apply()>"Apply"</button>
                <button type="button" on:click=move |_| open.0.set(None)>"Cancel"</button>
            </div>
        </div>
    }
}

/// The Columns picker (interactive report) or a note that the report's columns are fixed.
#[component]
fn ColumnsPicker() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let open = open_ctx();
    let report = ctx.report();
    if report != EventType::Interactive {
        return view! {
            <div class="popover" role="dialog" aria-label="Columns">
                <p class="note">
                    "The columns of " {report.title()} " can't be customized. "
                    "They are the fields its sign-ins are grouped on, and the count of each group."
                </p>
                <div class="actions">
                    <button type="button" on:click=move |_| open.0.set(None)>"Close"</button>
                </div>
            </div>
        }
        .into_any();
    }
    let chosen = RwSignal::new(ctx.columns.get_untracked());
    let error = RwSignal::new(None::<String>);
    let save = move |columns: Vec<ColumnId>| {
        ctx.columns.set(columns.clone());
        open.0.set(None);
        leptos::task::spawn_local(async move {
            if let Err(e) = save_columns(columns).await {
                error.set(Some(format!("The columns were not saved: {e}")));
            }
        });
    };
    view! {
        <div class="popover columns" role="dialog" aria-label="Columns">
            <p class="note">"Choose the columns of the interactive sign-ins table."</p>
            <div class="column-list">
                {ColumnId::pickable()
                    .into_iter()
                    .map(|c| {
                        let checked = move || chosen.with(|cols| cols.contains(&c));
                        view! {
                            <label class="check">
                                <input type="checkbox" prop:checked=checked on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|cols| {
                                        cols.retain(|x| *x != c);
                                        if on {
                                            // Keep the catalogue's order.
                                            cols.push(c);
                                            cols.sort_by_key(|x| ColumnId::ALL.iter().position(|y| y == x));
                                        }
                                    });
                                }/>
                                {c.label()}
                            </label>
                        }
                    })
                    .collect_view()}
            </div>
            {move || error.get().map(|e| view! { <p class="inline-error" role="alert">{e}</p> })}
            <div class="actions">
                <button type="button" class="primary"
                    disabled=move || chosen.with(|c| c.is_empty())
                    on:click=move |_| save(chosen.get_untracked())>"Save"</button>
                <button type="button" on:click=move |_| save(ColumnId::defaults(EventType::Interactive))>"Reset to defaults"</button>
                <button type="button" on:click=move |_| open.0.set(None)>"Cancel"</button>
            </div>
        </div>
    }
    .into_any()
}
