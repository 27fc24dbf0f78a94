#!/usr/bin/env bash
# One command on a fresh machine: install, migrate, load demo data, serve on 127.0.0.1:5000,
# with the scheduler (reminders, digests, outgoing email) running next to the server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh --no-dev

export FLASK_APP=wsgi FUNDTRACKER_CONFIG=${FUNDTRACKER_CONFIG:-development}
echo "==> migrating the database (${DATABASE_URL:-instance/fundtracker.sqlite})"
.venv/bin/flask db upgrade
echo "==> loading demo data"
.venv/bin/flask seed-demo
echo "==> starting the scheduler (flask scheduler) in the background"
.venv/bin/flask scheduler &
scheduler_pid=$!
trap 'kill "$scheduler_pid" 2>/dev/null || true; wait "$scheduler_pid" 2>/dev/null || true' EXIT INT TERM
echo "==> FundTracker on http://localhost:${PORT:-5000}  (passkeys need this name, not 127.0.0.1; Ctrl+C stops it and the scheduler)"
.venv/bin/flask run --host 127.0.0.1 --port "${PORT:-5000}"
