#!/usr/bin/env bash
# One command on a fresh machine: install, migrate, load demo data, serve on 127.0.0.1:5000.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh --no-dev

export FLASK_APP=wsgi FUNDTRACKER_CONFIG=${FUNDTRACKER_CONFIG:-development}
echo "==> migrating the database (${DATABASE_URL:-instance/fundtracker.sqlite})"
.venv/bin/flask db upgrade
echo "==> loading demo data"
.venv/bin/flask seed-demo
echo "==> FundTracker on http://127.0.0.1:5000  (Ctrl+C stops it)"
exec .venv/bin/flask run --host 127.0.0.1 --port "${PORT:-5000}"
