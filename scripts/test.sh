#!/usr/bin/env bash
# Set up (first time) and run every check: ruff lint and format, then all test tiers.
# Extra arguments go to pytest, e.g. scripts/test.sh tests/unit -x
# setup.sh dev installs Debian's chromium, postgresql, slurm-wlm and munge; tests/engines
# starts its own PostgreSQL and one-node Slurm cluster from them (free 127.0.0.1 ports,
# stopped by pid). The line below says up front whether each engine starts; if one cannot,
# its tests fail with the reason (PARALAB_SKIP_ENGINES=1: they skip, reason in the summary).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m lessons validate content/lessons
.venv/bin/python tests/engines/servers.py
exec .venv/bin/python -m pytest "$@"
