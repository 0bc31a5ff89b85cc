#!/usr/bin/env bash
# Try the newest versions of every dependency (no constraints.txt) in a separate virtualenv,
# .venv-newest/, then run the test suite there; arguments go to pytest, e.g.
#   bash scripts/test-newest.sh -m "not browser"
# The reproducible run is scripts/test.sh (pinned versions). Needs Python 3.12 and, to build
# the JupyterLab extension, Node.js >= 20.19.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v pyenv >/dev/null 2>&1 && pyenv versions --bare | grep -x '3.12.1' >/dev/null; then
    python=$(PYENV_VERSION=3.12.1 pyenv which python)
elif command -v python3.12 >/dev/null 2>&1; then
    python=$(command -v python3.12)
else
    echo "Python 3.12 is required (pymc-marketing 1.x needs it); install it first." >&2
    exit 1
fi

rm -rf .venv-newest
"$python" -m venv .venv-newest
.venv-newest/bin/python -m pip install --quiet --upgrade pip
.venv-newest/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e ".[test]"
.venv-newest/bin/python -m pip freeze --exclude-editable > .venv-newest/versions.txt
echo "Newest versions installed (.venv-newest/versions.txt); differences from constraints.txt:"
diff <(grep -v '^#' constraints.txt | sort -f) <(sort -f .venv-newest/versions.txt) \
    | grep '^>' || true
.venv-newest/bin/python -c 'import pymc_marketing, mmm_widgets; print("mmm-widgets", mmm_widgets.__version__, "with pymc-marketing", pymc_marketing.__version__)'
.venv-newest/bin/ruff check .
.venv-newest/bin/python -m pytest "$@"
