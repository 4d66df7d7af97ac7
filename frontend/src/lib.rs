//! The hydrate entry point: compiled to WASM, it takes over the server-rendered page.

// The blade's view types nest deeply (as in the app crate).
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
