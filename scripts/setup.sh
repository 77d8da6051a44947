#!/usr/bin/env bash
# Set up ParaLab in ./.venv. Usage: scripts/setup.sh [app|dev]
#   app: what the app needs; dev: also the test tools and Debian's Chromium for browser tests.
# Says what it is doing: the first run downloads torch and friends (~1 GB, about 4 minutes
# on a good connection); later runs skip pip unless a requirements file changed.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-app}
python=${PYTHON:-python3}
say() { echo "[setup] $*"; }
if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $("$python" --version 2>&1)…"
  "$python" -m venv .venv
fi
req=requirements.txt
[ "$what" = dev ] && req=requirements-dev.txt
stamp=".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-$what"
if [ ! -f "$stamp" ]; then
  say "installing Python packages from $req (first time: about 4 minutes, torch is the big one)…"
  # one line per package as pip gets to it; errors and warnings are shown in full
  .venv/bin/python -m pip install --disable-pip-version-check --progress-bar off -r "$req" 2>&1 |
    { grep --line-buffered -vE '^\s*(Looking in|Requirement already satisfied|Using cached|Obtaining|Preparing|Building|Created wheel|Stored in|Attempting|Found existing|Uninstalling|Successfully uninstalled|  Downloading)' || true; } |
    sed -u 's/^/[pip] /'  # (grep finds nothing to show when all is installed: not an error)
  touch "$stamp"
  say "Python packages installed."
fi
# dev: Debian packages the tests use — Chromium (browser tests), PostgreSQL 15, Slurm and
# MUNGE (tests/engines start real servers from these; nothing is started here).
if [ "$what" = dev ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  [ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql)
  command -v slurmctld >/dev/null 2>&1 || missing+=(slurm-wlm)
  command -v munged >/dev/null 2>&1 || missing+=(munge)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages for the tests (needs root): ${missing[*]}…"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi
if [ "$what" = dev ] && [ ! -f .tools/node_modules/axe-core/axe.min.js ]; then
  # axe-core audits the pages in the browser tests (tests/browser/test_accessibility.py)
  if ! command -v npm >/dev/null 2>&1; then
    say "installing Debian's npm for the accessibility audit (needs root)…"
    $([ "$(id -u)" = 0 ] || echo sudo) apt-get install -y -qq npm >/dev/null
  fi
  say "installing axe-core ${AXE_VERSION:=4.14.1} (npm) into .tools/ for the accessibility test…"
  npm install --silent --no-audit --no-fund --prefix .tools "axe-core@$AXE_VERSION" >/dev/null
fi
