#!/usr/bin/env bash
# Set up (first time) and start the app on http://localhost:${PORT:-8501}.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh app
exec .venv/bin/python -m ui.serve --server.port "${PORT:-8501}" "$@"
