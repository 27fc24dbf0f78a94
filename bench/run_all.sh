#!/usr/bin/env bash
# All the benchmarks, one summary table: see bench/run_all.py. Arguments go to it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec .venv/bin/python -m bench.run_all "$@"
