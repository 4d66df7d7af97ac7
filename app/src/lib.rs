//! Signbook's shared crate: the sign-in model, grouping and filter code (server and WASM), the
//! report components and the server functions.

#![recursion_limit = "256"]

pub mod access;
pub mod api;
pub mod blade;
pub mod columns;
#[cfg(feature = "ssr")]
pub mod details;
pub mod filter;
pub mod grouping;
pub mod model;
pub mod sort;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(any(test, feature = "testdata"))]
pub mod testdata;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, StaticSegment};

/// The HTML document around the app (server-rendered).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.ico"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The portal.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/signbook.css"/>
        <Title text="Sign-in logs · Signbook"/>
        <Router>
            <Routes fallback=|| view! { <p class="notice">"Page not found."</p> }>
                <Route path=StaticSegment("") view=blade::SignInsPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
