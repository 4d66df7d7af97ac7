#!/usr/bin/env bash
# Runs every test: unit tests, the store conformance suite (SQLite, and PostgreSQL when one
# answers), the HTTP and import tests, and the browser tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

if [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium for the browser tests"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium \
    || { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium; }
fi

# Microsoft's Python Graph SDK (pinned in tests/graph_sdk/requirements.txt) for the API test,
# in a virtual environment kept outside the clone and rebuilt when the pins change.
sdk_venv="${XDG_CACHE_HOME:-$HOME/.cache}/signbook/graph-sdk-venv"
sdk_requirements="tests/graph_sdk/requirements.txt"
if [ ! -x "$sdk_venv/bin/python" ] || ! cmp -s "$sdk_requirements" "$sdk_venv/requirements.txt"; then
  say "installing Microsoft's Python Graph SDK for the API test (msgraph-sdk, azure-identity)"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3 python3-venv
  fi
  rm -rf "$sdk_venv"
  python3 -m venv "$sdk_venv"
  "$sdk_venv/bin/pip" install --quiet --disable-pip-version-check -r "$sdk_requirements"
  cp "$sdk_requirements" "$sdk_venv/requirements.txt"
fi
export SIGNBOOK_GRAPH_SDK_PYTHON="$sdk_venv/bin/python"

if [ -z "${SIGNBOOK_TEST_POSTGRES_URL:-}" ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
  export SIGNBOOK_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/test"
fi
if [ -n "${SIGNBOOK_TEST_POSTGRES_URL:-}" ]; then
  say "storage conformance: SQLite and PostgreSQL (${SIGNBOOK_TEST_POSTGRES_URL})"
else
  say "storage conformance: SQLite only; PostgreSQL skipped (no server at 127.0.0.1:5432, SIGNBOOK_TEST_POSTGRES_URL not set)"
fi

say "unit tests of the shared crate"
cargo test -p app
cargo test -p app --features ssr --lib
say "server: unit, conformance, HTTP and import tests"
cargo test -p server

say "browser tests (cargo leptos end-to-end)"
e2e_db="$(pwd)/target/e2e"
rm -rf "$e2e_db"
mkdir -p "$e2e_db"
# A fresh database each run, seeded with the demo tenant as a first start is.
SIGNBOOK_DATABASE_URL="sqlite://$e2e_db/signbook.db" cargo leptos end-to-end --release --precompress
say "all tests passed"
