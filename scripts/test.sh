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
# The production set-up behind nginx (tests/deploy): the test starts its own on 127.0.0.1.
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need+=(nginx)
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
export REQUIRE_NGINX=1

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check --quiet .
echo "==> import layers (docs/architecture.md)"
.venv/bin/lint-imports --no-cache --no-logo

# Dependency hygiene (issue #19): the SBOM describes exactly the locked set, uv.lock exported
# with its hashes (every platform's pins; the project itself left out).
echo "==> SBOM of the locked set (build/sbom.cdx.json)"
mkdir -p build
uv export --frozen --format requirements-txt --no-emit-project --no-header --quiet \
  -o build/requirements.lock.txt
PYTHONWARNINGS=ignore .venv/bin/cyclonedx-py requirements --pyproject pyproject.toml \
  --output-reproducible -o build/sbom.cdx.json build/requirements.lock.txt
.venv/bin/python - <<'PY'
import json, re
pins = {m.groups() for m in re.finditer(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)", open("build/requirements.lock.txt").read(), re.M)}
bom = json.load(open("build/sbom.cdx.json"))
found = {(c["name"], c["version"]) for c in bom["components"]}
assert bom["bomFormat"] == "CycloneDX" and len(bom["components"]) == len(pins) > 0, "SBOM incomplete"
assert found == pins, f"SBOM differs from uv.lock: {sorted(found ^ pins)[:5]}"
print(f"SBOM: {len(pins)} components, as locked")
PY

# pip-audit only against a source that answers with advisories: a known-vulnerable release
# (Jinja2 2.10) must come back with some, from PyPI or else OSV, within 5 seconds. A mirror that
# serves packages but no advisories would let pip-audit pass having checked nothing.
echo "==> pip-audit (locked set)"
audit_source=$(.venv/bin/python - <<'PY'
import json, urllib.request
def ask(url, data=None):
    headers = {"Content-Type": "application/json"} if data else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data, headers), timeout=5) as r:
            return json.load(r)
    except Exception:
        return {}
if ask("https://pypi.org/pypi/jinja2/2.10/json").get("vulnerabilities"):
    print("pypi")
elif ask("https://api.osv.dev/v1/query", json.dumps({"package": {"name": "jinja2", "ecosystem": "PyPI"}, "version": "2.10"}).encode()).get("vulns"):
    print("osv")
PY
)
if [ -n "$audit_source" ]; then
  .venv/bin/pip-audit --requirement build/requirements.lock.txt --no-deps --disable-pip \
    --require-hashes --vulnerability-service "$audit_source" --progress-spinner off
else
  echo "pip-audit skipped: no advisory source"
fi

pgdir=$(mktemp -d /tmp/fundtracker-pg.XXXXXX)
trap 'bash scripts/pg.sh stop "$pgdir"' EXIT
echo "==> starting a throwaway PostgreSQL server"
url=$(bash scripts/pg.sh start "$pgdir")

# The two runs side by side: each pytest keeps one core busy and CI machines have two, so the
# suite takes about half the time it took one run after the other. Each database is its own
# (a fresh SQLite file, the throwaway server), and every server a test starts takes a free port.
# Their outputs are printed whole, one after the other, when both have ended.
echo "==> tests on SQLite and on PostgreSQL, side by side"
TEST_DATABASE_URL=sqlite:// .venv/bin/pytest -q -p no:cacheprovider "$@" \
  > build/tests-sqlite.log 2>&1 &
sqlite_run=$!
TEST_DATABASE_URL=$url .venv/bin/pytest -q -p no:cacheprovider "$@" \
  > build/tests-postgresql.log 2>&1 &
postgresql_run=$!
status=0
wait "$sqlite_run" || status=1
echo "==> tests on SQLite"
cat build/tests-sqlite.log
wait "$postgresql_run" || status=1
echo "==> tests on PostgreSQL"
cat build/tests-postgresql.log
exit "$status"
