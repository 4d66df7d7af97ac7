//! The chart above the table: sign-ins over the filtered period in time buckets, stacked by
//! status. Each bar is a button; clicking one narrows the date filter to its bucket.

use super::format::format_micros;
use super::Ctx;
use crate::api::report::{report_chart, ChartRequest};
use crate::filter::DateFilter;
use leptos::prelude::*;

/// The chart.
#[component]
pub fn Chart() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let request = move || {
        let s = ctx.state.get();
        ChartRequest {
            report: ctx.report(),
            filter: s.filter,
            now: 0,
        }
    };
    let data = Resource::new(request, report_chart);
    view! {
        <section class="chart" aria-label="Sign-ins over time by status">
            <Transition fallback=|| view! { <div class="chart-body skeleton" aria-busy="true"></div> }>
                {move || data.get().map(|result| match result {
                    Err(e) => view! {
                        <p class="inline-error" role="alert">{format!("The chart could not be loaded: {e}")}</p>
                    }.into_any(),
                    Ok(chart) => {
                        let max = chart
                            .bars
                            .iter()
                            .map(|b| b.success + b.failure + b.interrupted)
                            .max()
                            .unwrap_or(0)
                            .max(1);
                        let total: i64 = chart.bars.iter().map(|b| b.success + b.failure + b.interrupted).sum();
                        let bucket = chart.bucket;
                        let first = chart.bars.first().map(|b| b.start);
                        let last = chart.bars.last().map(|b| b.start + bucket);
                        let hours = bucket / 3_600_000_000;
                        let step = if hours >= 24 { format!("{} day", hours / 24) } else { format!("{hours} hour") };
                        view! {
                            <div class="chart-head">
                                <span class="chart-title">{format!("{} sign-ins, per {step}", super::grid::thousands(total))}</span>
                                <span class="legend">
                                    <span class="key success"></span>"Success"
                                    <span class="key failure"></span>"Failure"
                                    <span class="key interrupted"></span>"Interrupted"
                                </span>
                            </div>
                            <div class="chart-body">
                                {chart.bars.into_iter().map(|bar| {
                                    let n = bar.success + bar.failure + bar.interrupted;
                                    let pct = |v: i64| format!("height:{:.2}%", v as f64 * 100.0 / max as f64);
                                    let start = bar.start;
                                    let label = move || format!(
                                        "{}: {} sign-ins ({} success, {} failure, {} interrupted). Show only this period.",
                                        format_micros(start, ctx.local.get()), n, bar.success, bar.failure, bar.interrupted
                                    );
                                    view! {
                                        <button type="button" class="bar" title=label aria-label=label
                                            on:click=move |_| ctx.update(|s| {
                                                s.filter.date = DateFilter::Custom { start: Some(start), end: Some(start + bucket) };
                                            })>
                                            <span class="seg interrupted" style=pct(bar.interrupted)></span>
                                            <span class="seg failure" style=pct(bar.failure)></span>
                                            <span class="seg success" style=pct(bar.success)></span>
                                        </button>
                                    }
                                }).collect_view()}
                            </div>
                            <div class="chart-axis" aria-hidden="true">
                                <span>{move || first.map(|f| format_micros(f, ctx.local.get())).unwrap_or_default()}</span>
                                <span>{move || last.map(|l| format_micros(l, ctx.local.get())).unwrap_or_default()}</span>
                            </div>
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}
