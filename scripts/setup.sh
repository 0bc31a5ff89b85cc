#!/usr/bin/env bash
# Set up everything on a fresh machine: a Python 3.12 virtualenv with the package, its
# test tools and the JupyterLab extension. Idempotent: re-running it only installs what
# is missing or changed.
#
# The extension (js/, TypeScript) is built by the package's build hook (hatch-jupyter-
# builder: `jlpm install` + `jlpm build` in js/, into mmm_widgets/labextension) whenever
# js/src is newer than the built files; pip then copies the built files into the venv's
# share/jupyter/labextensions/mmm-widgets, where JupyterLab and Notebook 7 find them.
# Building needs Node.js >= 20.19; users installing a wheel never need node.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
    # grep reads every line: with -q it would stop at the match and pyenv, still writing,
    # would fail on the closed pipe, which pipefail turns into "no 3.12.1".
    if command -v pyenv >/dev/null 2>&1 && pyenv versions --bare | grep -x '3.12.1' >/dev/null; then
        PYENV_VERSION=3.12.1 pyenv which python
    elif command -v python3.12 >/dev/null 2>&1; then
        command -v python3.12
    else
        echo "Python 3.12 is required (pymc-marketing 1.x needs it); install it first." >&2
        exit 1
    fi
}

# What the install depends on: when none of it changed since the last successful run,
# the (20 s) reinstall is skipped.
inputs_digest() {
    cat pyproject.toml constraints.txt js/package.json js/yarn.lock js/.yarnrc.yml js/tsconfig.json js/src/* \
        | sha256sum | cut -d' ' -f1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] >= (3, 12)' 2>/dev/null; then
    rm -rf .venv
    "$(find_python)" -m venv .venv
fi

stamp=.venv/.mmm-widgets-installed
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(inputs_digest)" ] \
    && [ -f mmm_widgets/labextension/package.json ] \
    && [ -f .venv/share/jupyter/labextensions/mmm-widgets/package.json ]; then
    echo "mmm-widgets: already installed and up to date"
else
    if ! command -v node >/dev/null 2>&1; then
        echo "Node.js (>= 20.19) is needed to build the JupyterLab extension in js/." >&2
        exit 1
    fi
    .venv/bin/python -m pip install --quiet --upgrade pip
    # Pinned versions (constraints.txt), so that a run is reproducible;
    # scripts/test-newest.sh tries the newest ones.
    .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[test]"
    inputs_digest > "$stamp"
fi
.venv/bin/python -c 'import pymc_marketing, mmm_widgets; print("mmm-widgets", mmm_widgets.__version__, "with pymc-marketing", pymc_marketing.__version__)'
if ! .venv/bin/jupyter labextension list 2>&1 | grep -E 'mmm-widgets v[0-9.]+ .*enabled.*OK' >/dev/null; then
    echo "The mmm-widgets JupyterLab extension is not installed or not enabled:" >&2
    .venv/bin/jupyter labextension list >&2
    exit 1
fi
echo "mmm-widgets JupyterLab extension: enabled"
