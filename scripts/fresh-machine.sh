#!/usr/bin/env bash
# A new machine, as near as one can get on this one: the README's two commands run in a
# fresh `git clone` of the committed tree (HEAD), with an empty HOME (no pip or npm cache,
# no user configuration), only /usr/bin:/bin on PATH (the system python3, no `python`, no
# pyenv or other tools installed by hand) and no inherited environment variables except
# the machine's network settings (proxy and certificate authorities).
#
#   bash scripts/fresh-machine.sh           the first command: set up and build
#   bash scripts/fresh-machine.sh --tests   then the second command too: the whole test suite
#   add --keep to leave the temporary folder for a look
#
# The commands are read from the README's "Two commands" block, so what runs is what the
# README says. Prints one line per step and a summary; exit status 0 only if all passed.
set -euo pipefail

SRC="$(cd "$(dirname "$0")/.." && pwd)"
RUN_TESTS=0
KEEP=0
for arg in "$@"; do
  case "$arg" in
    --tests) RUN_TESTS=1 ;;
    --keep) KEEP=1 ;;
    *) echo "usage: bash scripts/fresh-machine.sh [--tests] [--keep]" >&2; exit 2 ;;
  esac
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/fresh-machine.XXXXXX")"
if [ "$KEEP" -eq 0 ]; then trap 'rm -rf "$WORK"' EXIT; fi
CLONE="$WORK/clone"
mkdir -p "$WORK/home"

system="$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}")"
echo "system: ${system:-unknown}; /usr/bin/python3 is $(/usr/bin/python3 -V 2>&1 || echo missing);" \
  "python on PATH: $(PATH=/usr/bin:/bin command -v python || echo none)"

commit="$(git -C "$SRC" rev-parse HEAD)"
git clone --quiet --no-hardlinks "$SRC" "$CLONE"
git -C "$CLONE" checkout --quiet "$commit"
echo "clone: $commit (committed files only) into $CLONE"

# The README's "Two commands" block: the command of each line, its comment removed.
mapfile -t COMMANDS < <(/usr/bin/python3 - "$CLONE/README.md" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
section = text[text.index("## Two commands"):]
block = section[section.index("```sh\n") + 6:]
block = block[: block.index("```")]
for line in block.splitlines():
    if line.strip() and not line.startswith("#"):
        print(line.split("  #")[0].strip())
PY
)
[ "${#COMMANDS[@]}" -ge 2 ] || { echo "ERROR: README's Two commands block not found" >&2; exit 1; }

# The machine's network settings, if any, are the machine's, not the user's: a proxy and the
# certificate authorities it needs (a TLS-inspecting proxy makes npm fail without them).
NETWORK=()
for name in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY \
            NODE_EXTRA_CA_CERTS SSL_CERT_FILE SSL_CERT_DIR REQUESTS_CA_BUNDLE PIP_CERT; do
  if [ -n "${!name:-}" ]; then NETWORK+=("$name=${!name}"); fi
done
[ "${#NETWORK[@]}" -eq 0 ] || echo "network settings passed through: ${NETWORK[*]%%=*}"

# A command as a new user types it: bash in the clone, nothing inherited but the basics.
as_new_user() {
  env -i HOME="$WORK/home" PATH=/usr/bin:/bin LANG=C.UTF-8 TERM=dumb USER="$(id -un)" "${NETWORK[@]}" \
    bash -c "cd '$CLONE' && $1"
}

step() {  # step NAME COMMAND
  local name="$1" cmd="$2" log="$WORK/$1.log" start end
  echo "run ($name): $cmd"
  start=$(date +%s)
  if as_new_user "$cmd" >"$log" 2>&1; then
    end=$(date +%s)
    echo "ok ($name) in $((end - start)) s; last lines:"
    tail -n 5 "$log" | sed 's/^/    /'
  else
    local rc=$?
    echo "FAILED ($name), exit $rc; last lines of its output:" >&2
    tail -n 40 "$log" | sed 's/^/    /' >&2
    exit 1
  fi
}

step first "${COMMANDS[0]}"
for f in _site/index.html _site/feed.xml _site/jadwal/index.html _site/.sitegen; do
  [ -e "$CLONE/$f" ] || { echo "FAILED: the first command did not write $f" >&2; exit 1; }
done
ls "$CLONE"/_site/seri/*/index.html >/dev/null 2>&1 || { echo "FAILED: no series page in _site/seri/" >&2; exit 1; }
[ -x "$CLONE/.venv/bin/python" ] || { echo "FAILED: no .venv/bin/python" >&2; exit 1; }
[ -z "$(git -C "$CLONE" status --porcelain)" ] || { echo "FAILED: the build left files git does not ignore:" >&2; git -C "$CLONE" status --short >&2; exit 1; }
echo "ok: _site/ has $(find "$CLONE/_site" -name '*.html' | wc -l) HTML pages; git status is clean"

if [ "$RUN_TESTS" -eq 1 ]; then
  step second "${COMMANDS[1]}"
  grep -E "^[0-9]+ (passed|failed)|passed|failed" "$WORK/second.log" | tail -n 1
fi
echo "fresh machine: PASS (${system:-unknown})"
