#!/usr/bin/env bash
# Set up, then run the lint and the whole test suite (unit, replay, real fits).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
