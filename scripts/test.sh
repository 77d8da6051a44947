#!/usr/bin/env bash
# Set up (first time) and run every check: ruff lint and format, then all test tiers.
# Extra arguments go to pytest, e.g. scripts/test.sh tests/unit -x
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m lessons validate content/lessons
exec .venv/bin/python -m pytest "$@"
