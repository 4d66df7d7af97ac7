//! The report table: a virtualised grid. Only the rows in view (and a few either side) are in
//! the DOM; rows are fetched from the server a page at a time as they come into view, all at
//! the first page's snapshot so they fit together. Grouped reports expand one group in place
//! to its sign-ins.

use super::format::format_time;
use super::Ctx;
use crate::api::report::{
    group_members, load_table_page, GroupRef, MemberRow, MembersRequest, TablePage, TableRequest,
    TableRow,
};
use crate::columns::ColumnId;
use crate::sort::Sort;
use leptos::prelude::*;
use std::collections::{HashMap, HashSet};

/// Row height in pixels (CSS `.row` matches it).
const ROW_H: f64 = 32.0;
/// Rows per fetched page.
const PAGE: i64 = 100;
/// Members fetched per click on a group.
const MEMBERS_PAGE: i64 = 50;
/// Rows rendered beyond the viewport on each side.
const OVERSCAN: i64 = 8;

/// The table of the report shown, with its count, loading, empty and error states.
#[component]
pub fn Report() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let request = Memo::new(move |_| {
        let s = ctx.state.get();
        TableRequest {
            report: ctx.report(),
            filter: s.filter,
            now: 0,
            sort: s.sort,
            aggregate: s.aggregate,
            columns: ctx.report_columns(),
            offset: 0,
            limit: PAGE,
            snapshot: None,
            with_total: true,
        }
    });
    let first = Resource::new(move || request.get(), load_table_page);
    view! {
        <section class="report" aria-label="Sign-ins">
            <Transition fallback=move || view! { <Skeleton columns=request.get_untracked().columns/> }>
                {move || first.get().map(|result| match result {
                    Ok(page) => view! { <Grid request=request.get_untracked() page/> }.into_any(),
                    Err(e) => view! {
                        <div class="error-state" role="alert">
                            <p>{format!("The sign-ins could not be loaded: {e}")}</p>
                            <button type="button" class="primary" on:click=move |_| first.refetch()>"Retry"</button>
                        </div>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// Placeholder rows while the first page loads.
#[component]
fn Skeleton(columns: Vec<ColumnId>) -> impl IntoView {
    let template = template(&default_widths(&columns), false);
    view! {
        <div class="grid-scroll skeleton-grid" aria-busy="true" aria-label="Loading sign-ins">
            <div class="row head" style=format!("grid-template-columns:{template}")>
                {columns.iter().map(|c| view! { <div class="cell">{c.label()}</div> }).collect_view()}
            </div>
            {(0..12).map(|_| view! {
                <div class="row" style=format!("grid-template-columns:{template}")>
                    {columns.iter().map(|_| view! { <div class="cell"><span class="shimmer"></span></div> }).collect_view()}
                </div>
            }).collect_view()}
        </div>
    }
}

fn default_width(c: ColumnId) -> f64 {
    match c {
        ColumnId::Date => 160.0,
        ColumnId::SignInCount => 90.0,
        ColumnId::Status => 100.0,
        ColumnId::IpAddress => 140.0,
        c if c.is_identifier() => 260.0,
        _ => 190.0,
    }
}

fn default_widths(columns: &[ColumnId]) -> Vec<f64> {
    columns.iter().map(|c| default_width(*c)).collect()
}

fn template(widths: &[f64], grouped: bool) -> String {
    let mut parts: Vec<String> = Vec::new();
    if grouped {
        parts.push("36px".to_owned());
    }
    parts.extend(widths.iter().map(|w| format!("{w:.0}px")));
    parts.join(" ")
}

/// The group open in place.
#[derive(Clone, Debug, PartialEq)]
struct Expanded {
    /// Its index among the groups.
    index: i64,
    group: GroupRef,
    members: Vec<MemberRow>,
    more: bool,
    loading: bool,
    error: Option<String>,
}

impl Expanded {
    /// Rows it adds under the group row.
    fn extra(&self) -> i64 {
        self.members.len() as i64 + i64::from(self.more || self.loading || self.error.is_some())
    }
}

/// What a row of the virtual list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// A record or group, by index in the result.
    Item(i64),
    /// A member of the open group.
    Member(usize),
    /// The "more sign-ins" row of the open group.
    More,
}

fn slot(i: i64, expanded: Option<&Expanded>) -> Slot {
    match expanded {
        None => Slot::Item(i),
        Some(e) if i <= e.index => Slot::Item(i),
        Some(e) if i <= e.index + e.members.len() as i64 => {
            Slot::Member((i - e.index - 1) as usize)
        }
        Some(e) if i <= e.index + e.extra() => Slot::More,
        Some(e) => Slot::Item(i - e.extra()),
    }
}

/// What one row of the virtual list shows.
#[derive(Clone, Debug, PartialEq)]
enum RowContent {
    /// A record or group (by index), once its page is loaded.
    Item(i64, Option<TableRow>),
    /// A member of the open group.
    Member(Option<MemberRow>),
    /// The text of the "more sign-ins" row.
    More(String),
}

/// The virtualised grid over one result.
#[component]
fn Grid(request: TableRequest, page: TablePage) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let total = page.total.unwrap_or(page.rows.len() as i64);
    let grouped = request.report.is_grouped();
    let noun = if grouped { "groups" } else { "sign-ins" };
    let count_text = format!("{} {noun}", thousands(total));
    if total == 0 {
        return view! {
            <p class="count" role="status">{count_text}</p>
            <div class="empty-state" role="status">
                <h2>"No sign-ins match these filters"</h2>
                <p>"Try a longer date range, or remove a filter."</p>
            </div>
        }
        .into_any();
    }
    let columns = request.columns.clone();
    let n_cols = columns.len();
    let snapshot = page.snapshot;
    let now = page.now;
    let pages = RwSignal::new(HashMap::from([(0_i64, page.rows)]));
    let pending = StoredValue::new(HashSet::<i64>::new());
    let load_error = RwSignal::new(None::<String>);
    let scroll_top = RwSignal::new(0.0_f64);
    let viewport = RwSignal::new(600.0_f64);
    let selected = RwSignal::new(None::<i64>);
    let expanded = RwSignal::new(None::<Expanded>);
    let widths = RwSignal::new(default_widths(&columns));
    let scroller = NodeRef::<leptos::html::Div>::new();

    let count = move || total + expanded.with(|e| e.as_ref().map_or(0, Expanded::extra));
    let range = move || {
        let first = ((scroll_top.get() / ROW_H) as i64 - OVERSCAN).max(0);
        let last = (first + (viewport.get() / ROW_H).ceil() as i64 + 2 * OVERSCAN).min(count());
        first..last
    };

    // Measures the viewport once in the browser, and again on resize.
    Effect::new(move |_| {
        if let Some(el) = scroller.get() {
            viewport.set(f64::from(el.client_height()));
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        if let Some(el) = scroller.get_untracked() {
            viewport.set(f64::from(el.client_height()));
        }
    });
    on_cleanup(move || resize.remove());

    // Fetches the pages the visible rows need.
    let base = StoredValue::new(request.clone());
    Effect::new(move |_| {
        // After a failed fetch, wait for Retry (which clears the error) instead of looping.
        if load_error.with(Option::is_some) {
            return;
        }
        let wanted: HashSet<i64> = range()
            .filter_map(|i| match slot(i, expanded.read().as_ref()) {
                Slot::Item(k) => Some(k / PAGE),
                _ => None,
            })
            .collect();
        for p in wanted {
            let have = pages.with_untracked(|m| m.contains_key(&p));
            if have || pending.with_value(|s| s.contains(&p)) {
                continue;
            }
            pending.update_value(|s| {
                s.insert(p);
            });
            let req = TableRequest {
                offset: p * PAGE,
                limit: PAGE,
                snapshot: Some(snapshot),
                now,
                with_total: false,
                ..base.get_value()
            };
            leptos::task::spawn_local(async move {
                match load_table_page(req).await {
                    Ok(page) => pages.update(|m| {
                        m.insert(p, page.rows);
                    }),
                    Err(e) => load_error.set(Some(format!("Some rows could not be loaded: {e}"))),
                }
                pending.update_value(|s| {
                    s.remove(&p);
                });
            });
        }
    });

    let item = move |k: i64| -> Option<TableRow> {
        pages.with(|m| {
            m.get(&(k / PAGE))
                .and_then(|rows| rows.get((k % PAGE) as usize).cloned())
        })
    };

    let load_members = move |offset: i64| {
        let Some(e) = expanded.get_untracked() else {
            return;
        };
        let req = MembersRequest {
            report: base.with_value(|b| b.report),
            filter: base.with_value(|b| b.filter.clone()),
            now,
            aggregate: base.with_value(|b| b.aggregate),
            group: e.group,
            offset,
            limit: MEMBERS_PAGE,
            snapshot: Some(snapshot),
        };
        expanded.update(|x| {
            if let Some(x) = x {
                x.loading = true;
                x.error = None;
            }
        });
        let key = e.group;
        leptos::task::spawn_local(async move {
            let result = group_members(req).await;
            expanded.update(|x| {
                let Some(x) = x.as_mut().filter(|x| x.group == key) else {
                    return;
                };
                x.loading = false;
                match result {
                    Ok(page) => {
                        x.members.extend(page.members);
                        x.more = page.more;
                    }
                    Err(e) => x.error = Some(format!("The sign-ins could not be loaded: {e}")),
                }
            });
        });
    };

    let toggle_group = move |k: i64| {
        let Some(row) = item(k) else { return };
        let Some(group) = row.group else { return };
        let same = expanded.with_untracked(|e| e.as_ref().is_some_and(|e| e.index == k));
        if same {
            expanded.set(None);
        } else {
            expanded.set(Some(Expanded {
                index: k,
                group,
                members: Vec::new(),
                more: false,
                loading: true,
                error: None,
            }));
            load_members(0);
        }
    };

    let open_details = move |id: String| ctx.update(|s| s.details = Some(id));

    // What Enter or a click does on a row.
    let activate = move |i: i64| match slot(i, expanded.get_untracked().as_ref()) {
        Slot::Item(k) => {
            if grouped {
                toggle_group(k);
            } else if let Some(row) = item(k) {
                open_details(row.id);
            }
        }
        Slot::Member(m) => {
            if let Some(member) =
                expanded.with_untracked(|e| e.as_ref().and_then(|e| e.members.get(m).cloned()))
            {
                open_details(member.id);
            }
        }
        Slot::More => {
            let loaded = expanded.with_untracked(|e| e.as_ref().map_or(0, |e| e.members.len()));
            load_members(loaded as i64);
        }
    };

    let scroll_into_view = move |i: i64| {
        let Some(el) = scroller.get_untracked() else {
            return;
        };
        let top = i as f64 * ROW_H;
        let view_top = f64::from(el.scroll_top());
        let view_h = f64::from(el.client_height()) - ROW_H; // the sticky header
        if top < view_top {
            el.set_scroll_top(top as i32);
        } else if top + ROW_H > view_top + view_h {
            el.set_scroll_top((top + ROW_H - view_h) as i32);
        }
    };

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let n = count();
        if n == 0 {
            return;
        }
        let page_rows = ((viewport.get_untracked() / ROW_H) as i64 - 1).max(1);
        let current = selected.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowDown" => current.map_or(0, |c| c + 1),
            "ArrowUp" => current.map_or(0, |c| c - 1),
            "PageDown" => current.map_or(0, |c| c + page_rows),
            "PageUp" => current.map_or(0, |c| c - page_rows),
            "Home" => 0,
            "End" => n - 1,
            "Enter" | " " => {
                if let Some(c) = current {
                    ev.prevent_default();
                    activate(c);
                }
                return;
            }
            "ArrowRight" | "ArrowLeft" if grouped => {
                if let Some(Slot::Item(k)) =
                    current.map(|c| slot(c, expanded.get_untracked().as_ref()))
                {
                    let open =
                        expanded.with_untracked(|e| e.as_ref().is_some_and(|e| e.index == k));
                    if open == (ev.key() == "ArrowLeft") {
                        toggle_group(k);
                    }
                }
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        let next = next.clamp(0, n - 1);
        selected.set(Some(next));
        scroll_into_view(next);
    };

    // Column resizing: drag the handle at a header's right edge.
    let drag = StoredValue::new(None::<(usize, f64, f64)>);
    let sortable = !grouped;
    let sort = request.sort;
    let on_sort = move |c: ColumnId| {
        let Some(field) = c.sort_key() else { return };
        let descending = if sort.field == field {
            !sort.descending
        } else {
            field == crate::sort::SortField::Date
        };
        ctx.update(|s| s.sort = Sort { field, descending });
    };
    let header_columns = columns.clone();
    let row_columns = StoredValue::new(columns.clone());
    let grid_template =
        move || format!("grid-template-columns:{}", template(&widths.get(), grouped));
    let active = move || {
        selected
            .get()
            .map(|i| format!("row-{i}"))
            .unwrap_or_default()
    };

    view! {
        <div class="count-line">
            <p class="count" role="status">{count_text.clone()}</p>
            {move || load_error.get().map(|e| view! {
                <p class="inline-error" role="alert">{e}" "
                    <button type="button" class="link" on:click=move |_| load_error.set(None)>"Retry"</button>
                </p>
            })}
        </div>
        <div class="grid-scroll" node_ref=scroller tabindex="0" role="grid"
            aria-label=format!("{} ({count_text})", request.report.title())
            aria-rowcount=move || (count() + 1).to_string()
            aria-colcount=(n_cols + usize::from(grouped)).to_string()
            aria-activedescendant=active
            on:scroll=move |ev| {
                let el = event_target::<leptos::web_sys::Element>(&ev);
                scroll_top.set(f64::from(el.scroll_top()));
            }
            on:keydown=on_keydown
            on:focus=move |_| if selected.get_untracked().is_none() { selected.set(Some(0)) }>
            <div role="rowgroup" class="head-group">
                <div class="row head" role="row" aria-rowindex="1" style=grid_template>
                    {grouped.then(|| view! { <div class="cell" role="columnheader"><span class="sr-only">"Expand"</span></div> })}
                    {header_columns.into_iter().enumerate().map(|(ci, c)| {
                        let sorted = sortable && c.sort_key() == Some(sort.field);
                        let aria_sort = if sorted {
                            if sort.descending { "descending" } else { "ascending" }
                        } else {
                            "none"
                        };
                        let label = if c == ColumnId::Date {
                            view! { {move || if ctx.local.get() { "Date".to_owned() } else { "Date (UTC)".to_owned() }} }.into_any()
                        } else {
                            view! { {c.label()} }.into_any()
                        };
                        let arrow = if sorted { if sort.descending { " ↓" } else { " ↑" } } else { "" };
                        view! {
                            <div class="cell" role="columnheader" aria-sort=aria_sort>
                                {if sortable && c.sort_key().is_some() {
                                    view! {
                                        <button type="button" class="sort" on:click=move |_| on_sort(c)>
                                            {label}<span aria-hidden="true">{arrow}</span>
                                        </button>
                                    }.into_any()
                                } else {
                                    view! { <span>{label}</span> }.into_any()
                                }}
                                <span class="resize" aria-hidden="true"
                                    on:pointerdown=move |ev| {
                                        ev.prevent_default();
                                        ev.stop_propagation();
                                        let el = event_target::<leptos::web_sys::Element>(&ev);
                                        let _ = el.set_pointer_capture(ev.pointer_id());
                                        let w = widths.with_untracked(|w| w[ci]);
                                        drag.set_value(Some((ci, f64::from(ev.client_x()), w)));
                                    }
                                    on:pointermove=move |ev| {
                                        if let Some((col, x0, w0)) = drag.get_value() {
                                            let w = (w0 + f64::from(ev.client_x()) - x0).clamp(60.0, 900.0);
                                            widths.update(|ws| ws[col] = w);
                                        }
                                    }
                                    on:pointerup=move |_| drag.set_value(None)
                                    on:click=move |ev| ev.stop_propagation()></span>
                            </div>
                        }
                    }).collect_view()}
                </div>
            </div>
            <div role="rowgroup" class="body" style=move || format!("height:{}px", count() as f64 * ROW_H)>
                // Keyed by the result too: a new result (which may reuse this grid's DOM) gets
                // new rows reading its own data.
                <For each=move || range().map(move |i| (now, i)) key=|k| *k let:key>
                    {
                        let i = key.1;
                        let s = move || slot(i, expanded.read().as_ref());
                        // What the row shows, compared before it re-renders: a page of other rows
                        // arriving must not rebuild this one.
                        let content = Memo::new(move |_| match s() {
                            Slot::Item(k) => RowContent::Item(k, item(k)),
                            Slot::Member(m) => RowContent::Member(
                                expanded.with(|e| e.as_ref().and_then(|e| e.members.get(m).cloned())),
                            ),
                            Slot::More => RowContent::More(expanded.with(|e| match e.as_ref() {
                                Some(e) if e.loading => "Loading sign-ins…".to_owned(),
                                Some(Expanded { error: Some(err), .. }) => format!("{err} Select to retry."),
                                _ => "Show more sign-ins".to_owned(),
                            })),
                        });
                        let is_selected = move || selected.get() == Some(i);
                        view! {
                            <div class="row" role="row" id=format!("row-{i}")
                                class:selected=is_selected
                                class:member=move || matches!(s(), Slot::Member(_) | Slot::More)
                                aria-rowindex=(i + 2).to_string()
                                aria-selected=move || is_selected().to_string()
                                style=move || format!("transform:translateY({}px);{}", i as f64 * ROW_H, grid_template())
                                on:click=move |_| {
                                    selected.set(Some(i));
                                    activate(i);
                                }>
                                {move || match content.get() {
                                    RowContent::Item(k, Some(row)) => view! { <ItemCells row columns=row_columns.get_value() grouped expanded_index=Signal::derive(move || expanded.with(|e| e.as_ref().map(|e| e.index))) index=k/> }.into_any(),
                                    RowContent::Item(_, None) => (0..n_cols + usize::from(grouped)).map(|_| view! {
                                        <div class="cell" role="gridcell"><span class="shimmer"></span></div>
                                    }).collect_view().into_any(),
                                    RowContent::Member(Some(member)) => view! { <MemberCells member span=n_cols/> }.into_any(),
                                    RowContent::Member(None) => ().into_any(),
                                    RowContent::More(text) => view! {
                                        <div class="cell" role="gridcell"></div>
                                        <div class="cell more" role="gridcell" style=format!("grid-column: span {n_cols}")>
                                            <button type="button" class="link" tabindex="-1">{text}</button>
                                        </div>
                                    }.into_any(),
                                }}
                            </div>
                        }
                    }
                </For>
            </div>
        </div>
    }
    .into_any()
}

/// The cells of a record or group row.
#[component]
fn ItemCells(
    row: TableRow,
    columns: Vec<ColumnId>,
    grouped: bool,
    expanded_index: Signal<Option<i64>>,
    index: i64,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let count = row.group.map_or(0, |g| g.count);
    let expander = grouped.then(|| {
        let open = move || expanded_index.get() == Some(index);
        view! {
            <div class="cell expander" role="gridcell">
                <button type="button" class="twisty" tabindex="-1"
                    aria-expanded=move || open().to_string()
                    aria-label=format!("Show the {count} sign-ins of this group")>
                    {move || if open() { "▾" } else { "▸" }}
                </button>
            </div>
        }
    });
    let cells = columns
        .into_iter()
        .zip(row.cells)
        .map(|(c, text)| match c {
            ColumnId::Date => {
                view! { <div class="cell nowrap" role="gridcell">{move || format_time(&text, ctx.local.get())}</div> }
                    .into_any()
            }
            ColumnId::Status => {
                let class = format!("status status-{}", text.to_lowercase());
                view! { <div class="cell" role="gridcell"><span class=class>{text}</span></div> }.into_any()
            }
            ColumnId::SignInCount => {
                view! { <div class="cell num" role="gridcell">{text}</div> }.into_any()
            }
            c if c.is_identifier() && !text.is_empty() => {
                view! { <div class="cell mono" role="gridcell"><CopyText label=c.label().to_owned() text/></div> }.into_any()
            }
            _ => {
                let title = text.clone();
                view! { <div class="cell" role="gridcell" title=title>{text}</div> }.into_any()
            }
        })
        .collect_view();
    view! { {expander}{cells} }
}

/// A member row: its time, Request ID and status.
#[component]
fn MemberCells(member: MemberRow, span: usize) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let created = member.created.clone();
    let class = format!("status status-{}", member.status.to_lowercase());
    view! {
        <div class="cell" role="gridcell"></div>
        <div class="cell member-cell" role="gridcell" style=format!("grid-column: span {span}")>
            <span class="nowrap">{move || format_time(&created, ctx.local.get())}</span>
            <span class="mono">{member.id.clone()}</span>
            <span class=class>{member.status.clone()}</span>
            <span class="hint">"Open details"</span>
        </div>
    }
}

/// An identifier with a one-click copy button.
#[component]
pub fn CopyText(label: String, text: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let value = text.clone();
    let copy = move |ev: leptos::ev::MouseEvent| {
        ev.stop_propagation();
        let window = leptos::web_sys::window();
        if let Some(w) = window {
            let _ = w.navigator().clipboard().write_text(&value);
            copied.set(true);
            set_timeout(
                move || copied.set(false),
                std::time::Duration::from_millis(1500),
            );
        }
    };
    view! {
        <span class="copyable" title=text.clone()>{text.clone()}</span>
        <button type="button" class="copy" tabindex="-1" on:click=copy
            aria-label=format!("Copy {label} {text}")>
            {move || if copied.get() {
                view! { <super::icons::CheckIcon/> }.into_any()
            } else {
                view! { <super::icons::CopyIcon/> }.into_any()
            }}
        </button>
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_group(index: i64, members: usize, more: bool) -> Expanded {
        Expanded {
            index,
            group: GroupRef {
                key: 1,
                bucket: 0,
                count: 9,
                first_at: 0,
                last_at: 0,
            },
            members: (0..members)
                .map(|i| MemberRow {
                    id: format!("m{i}"),
                    created: String::new(),
                    status: "Success".into(),
                })
                .collect(),
            more,
            loading: false,
            error: None,
        }
    }

    #[test]
    fn an_open_group_inserts_its_members_and_a_more_row() {
        let e = open_group(2, 3, true);
        let slots: Vec<Slot> = (0..9).map(|i| slot(i, Some(&e))).collect();
        assert_eq!(
            slots,
            [
                Slot::Item(0),
                Slot::Item(1),
                Slot::Item(2),
                Slot::Member(0),
                Slot::Member(1),
                Slot::Member(2),
                Slot::More,
                Slot::Item(3),
                Slot::Item(4),
            ]
        );
        let done = open_group(0, 2, false);
        assert_eq!(slot(3, Some(&done)), Slot::Item(1));
        assert_eq!(slot(5, None), Slot::Item(5));
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
