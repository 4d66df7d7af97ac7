#!/usr/bin/env bash
# The report blade's browser benchmark (issue #3): builds a release, loads the demo tenant with
# 1,000,000 sign-ins into target/bench-ui (once; reused while it exists), serves it on
# 127.0.0.1:3100 and runs end2end/bench in Chromium. Prints figures; asserts no times.
#
#   ./scripts/bench-blade.sh   # BENCH_EVENTS=1000000 BENCH_RUNS=5 by default; BENCH_GREP=tab runs one test
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
events="${BENCH_EVENTS:-1000000}"
dir="$(pwd)/target/bench-ui"
db="$dir/signbook-$events.db"
mkdir -p "$dir"

cargo leptos build --release --precompress
wasm="target/site/pkg/signbook.wasm"
printf 'BENCH WASM bundle: %s bytes raw, %s bytes brotli (as served), %s bytes gzip\n' \
  "$(stat -c %s "$wasm")" "$(stat -c %s "$wasm.br")" "$(stat -c %s "$wasm.gz")"

export LEPTOS_OUTPUT_NAME=signbook LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_SITE_ADDR=127.0.0.1:3100 LEPTOS_ENV=PROD
export SIGNBOOK_DATABASE_URL="sqlite://$db"
if [ ! -f "$db" ]; then
  echo "bench: loading $events demo sign-ins into $db (a few minutes)…" >&2
  ./target/release/signbook demo --events "$events"
fi
./target/release/signbook serve --no-demo &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
cd end2end
SIGNBOOK_E2E_URL=http://127.0.0.1:3100 npx playwright test -c playwright.bench.config.ts --reporter=line ${BENCH_GREP:+-g "$BENCH_GREP"} 2>&1 | grep -E "BENCH|passed|failed|Error" || true
