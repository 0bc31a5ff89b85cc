#!/usr/bin/env bash
# Set up everything on a fresh machine: a Python 3.12 virtualenv with the package and
# its test tools. Idempotent: re-running it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
    if command -v pyenv >/dev/null 2>&1 && pyenv versions --bare | grep -qx '3.12.1'; then
        PYENV_VERSION=3.12.1 pyenv which python
    elif command -v python3.12 >/dev/null 2>&1; then
        command -v python3.12
    else
        echo "Python 3.12 is required (pymc-marketing 1.x needs it); install it first." >&2
        exit 1
    fi
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] >= (3, 12)' 2>/dev/null; then
    rm -rf .venv
    "$(find_python)" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
.venv/bin/python -c 'import pymc_marketing, mmm_widgets; print("mmm-widgets", mmm_widgets.__version__, "with pymc-marketing", pymc_marketing.__version__)'
