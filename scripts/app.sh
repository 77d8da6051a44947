#!/usr/bin/env bash
# Set up (first time) and start the app on http://localhost:${PORT:-8501}.
#   PORT=8600 scripts/app.sh      # another port; extra arguments go to `streamlit run`
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh app
echo "[app] starting ParaLab on http://localhost:${PORT:-8501} (Ctrl-C stops it)…"
exec .venv/bin/python -m ui.serve --server.port "${PORT:-8501}" "$@"
