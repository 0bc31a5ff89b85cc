#!/usr/bin/env bash
# Set up, then run the lint and the whole test suite (unit, replay, real fits, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The browser tests drive Debian's Chromium with Playwright (no browser downloads here).
if ! command -v chromium >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests..."
    as_root=()
    [ "$(id -u)" -eq 0 ] || as_root=(sudo)
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
.venv/bin/ruff check .
# The layering: steps, mta, plots, codegen and the engine never import views or the workflow.
.venv/bin/lint-imports
# Two pytest-xdist workers (PYTEST_WORKERS to change; 0 runs in this process): each test
# file stays on one worker and the browser tests share one (tests/conftest.py). Half of
# the suite waits on subprocess imports, compiles and the browser, which a second worker
# overlaps.
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadgroup "$@"
