#!/usr/bin/env bash
# Installs FundTracker's Python environment from the lock file and compiles the translations.
# Sourced by run.sh and test.sh; safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v uv >/dev/null 2>&1; then
  echo "==> installing uv"
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
echo "==> installing Python packages (uv.lock)"
uv sync --frozen --quiet "$@"
echo "==> compiling translations"
.venv/bin/pybabel -q compile -d fundtracker/translations
