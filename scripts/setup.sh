#!/usr/bin/env bash
# Installs, at pinned versions, what building and testing Signbook needs and puts it on PATH.
# Sourced by scripts/serve.sh and scripts/test.sh; safe to run again (it skips what is there).
#
#   - the wasm32-unknown-unknown target (rustup)
#   - cargo-leptos 0.3.11, built with `no_downloads` (it must never fetch tools itself)
#   - wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock
#   - wasm-opt (npm binaryen 132) and Playwright, from end2end/package-lock.json
#
# A first run on a 2-core machine takes about 15 minutes (cargo-leptos alone about 8, in a
# debug build, which behaves the same); later runs take seconds.

set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION=0.3.11

say() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q " ${CARGO_LEPTOS_VERSION}"; then
  say "installing cargo-leptos ${CARGO_LEPTOS_VERSION} (about 8 minutes on 2 cores)"
  # --locked pins a dependency that wants a newer rustc, hence --ignore-rust-version; a debug
  # build of the tool is as good as a release one and takes a third of the time.
  cargo install cargo-leptos --version "${CARGO_LEPTOS_VERSION}" --locked --ignore-rust-version \
    --features no_downloads --debug
fi

wbg_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock")"
if [ -z "$wbg_version" ]; then
  echo "setup: cannot read the wasm-bindgen version from Cargo.lock" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${wbg_version}\b"; then
  say "installing wasm-bindgen-cli ${wbg_version} (about 4 minutes)"
  # Not --locked: its own lock file wants a crate version the registry no longer has.
  cargo install wasm-bindgen-cli --version "${wbg_version}" --force
fi

if [ ! -x "$root/end2end/node_modules/.bin/wasm-opt" ] || [ "$root/end2end/package-lock.json" -nt "$root/end2end/node_modules/.package-lock.json" ]; then
  say "installing the end2end npm packages (Playwright, binaryen's wasm-opt)"
  (cd "$root/end2end" && npm ci --no-audit --no-fund)
fi
# binaryen's wasm-opt first: Debian's older one breaks hydration (see BUILD-NOTES).
export PATH="$root/end2end/node_modules/.bin:$PATH"
