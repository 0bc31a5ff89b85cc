#!/usr/bin/env bash
# Check what can be checked of the Binder set-up without Binder: a fresh virtualenv with
# Python 3.12, the package installed exactly as postBuild installs it, the warm-up, then
# every notebook executed top to bottom. Usage: bash binder/verify.sh [venv-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-$(mktemp -d)/binder-venv}"
if command -v pyenv >/dev/null 2>&1 && pyenv versions --bare | grep -qx '3.12.1'; then
    PYENV_VERSION=3.12.1 pyenv exec python -m venv "$venv"
else
    python3.12 -m venv "$venv"
fi
source "$venv/bin/activate"
python -m pip install --quiet --upgrade pip
bash binder/postBuild
jupyter labextension list 2>&1 | grep -q 'mmm-widgets.*enabled' || { echo "extension missing" >&2; exit 1; }
python - <<'PY'
import pathlib, sys, tempfile
import nbformat
from nbclient import NotebookClient
failed = []
for path in sorted(pathlib.Path("notebooks").glob("*.ipynb")):
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as folder:
        try:
            NotebookClient(notebook, timeout=900, kernel_name="python3",
                           resources={"metadata": {"path": folder}}).execute()
            print("ok     ", path)
        except Exception as error:
            failed.append(path)
            print("FAILED ", path, type(error).__name__, str(error)[-300:])
sys.exit(1 if failed else 0)
PY
echo "binder set-up verified in $venv"
