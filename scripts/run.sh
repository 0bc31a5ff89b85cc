#!/usr/bin/env bash
# Set up, then open JupyterLab on the quickstart notebook with the bundled example data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/jupyter lab notebooks/quickstart.ipynb "$@"
