#!/usr/bin/env bash
# Set up ParaLab in ./.venv. Usage: scripts/setup.sh [app|dev]
#   app: what the app needs; dev: also the test tools and Debian's Chromium for browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-app}
python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
req=requirements.txt
[ "$what" = dev ] && req=requirements-dev.txt
.venv/bin/python -m pip install -q --disable-pip-version-check -r "$req"
if [ "$what" = dev ] && ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests (needs root)…"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
if [ "$what" = dev ] && [ ! -f .tools/node_modules/axe-core/axe.min.js ]; then
  # axe-core audits the pages in the browser tests (tests/browser/test_accessibility.py)
  if ! command -v npm >/dev/null 2>&1; then
    echo "Installing Debian's npm for the accessibility audit (needs root)…"
    $([ "$(id -u)" = 0 ] || echo sudo) apt-get install -y -qq npm >/dev/null
  fi
  echo "Installing axe-core ${AXE_VERSION:=4.14.1} (npm) into .tools/ for the accessibility test…"
  npm install --silent --no-audit --no-fund --prefix .tools "axe-core@$AXE_VERSION" >/dev/null
fi
