#!/usr/bin/env bash
# Builds Signbook and serves it at http://127.0.0.1:3000 on an embedded SQLite database
# (data/signbook.db, created and seeded with the demo tenant on first start).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
export SIGNBOOK_DATABASE_URL="${SIGNBOOK_DATABASE_URL:-sqlite://data/signbook.db}"
exec cargo leptos serve --release --precompress
