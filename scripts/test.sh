#!/usr/bin/env bash
# One command on a fresh machine: install what the tests need, lint, and run the whole suite on
# SQLite and then on a throwaway PostgreSQL server on 127.0.0.1. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
fc-list 2>/dev/null | grep -qi "DejaVu Sans" || need+=(fonts-dejavu-core)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "==> installing system packages: ${need[*]}"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi

bash scripts/setup.sh
echo "==> installing axe-core for the accessibility checks (tests/browser/package-lock.json)"
npm ci --prefix tests/browser --silent --no-audit --no-fund
export CHROMIUM_PATH=${CHROMIUM_PATH:-$(command -v chromium)}
export REQUIRE_BROWSER=1

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check --quiet .
echo "==> import layers (docs/architecture.md)"
.venv/bin/lint-imports --no-cache --no-logo

echo "==> tests on SQLite"
TEST_DATABASE_URL=sqlite:// .venv/bin/pytest -q "$@"

pgdir=$(mktemp -d /tmp/fundtracker-pg.XXXXXX)
trap 'bash scripts/pg.sh stop "$pgdir"' EXIT
echo "==> starting a throwaway PostgreSQL server"
url=$(bash scripts/pg.sh start "$pgdir")
echo "==> tests on PostgreSQL"
TEST_DATABASE_URL=$url .venv/bin/pytest -q "$@"
