#!/usr/bin/env bash
# The suite's run, after scripts/test.sh has installed what the tests need (run that: it
# calls this with its arguments). VPY is the interpreter (default: the project's .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
VPY="${VPY:-$(pwd)/.venv/bin/python}"
LOG_DIR="$(mktemp -d)"
trap 'rm -rf "$LOG_DIR"' EXIT

# -rs: every skipped test with its reason; --durations=15: the slowest tests. With CI=true a
# skipped browser, validator or Lighthouse test is a failure (tests/conftest.py).
# --fast: only the unit and site tests (-m "not system"), the loop to run after each change.
# Two phases. First the tests marked `solo`, one at a time with nothing else of the suite
# beside them: they measure the machine (Lighthouse's performance score, how soon a stopped
# build or preview ends), and a second worker on the same cores skews that. Then all the
# others on every core (pytest-xdist), the files that share a costly fixture or a port kept
# on one worker (XDIST_GROUPS in tests/conftest.py). TEST_JOBS=1 runs everything in one
# process instead, as does any -n, --pdb or -p no:xdist given; a -m given chooses the tests
# by itself, in one parallel phase.
# Python's bytecode caches (__pycache__ folders, ignored by git) are written during the run
# even where PYTHONDONTWRITEBYTECODE is set: without them every build.py process compiles the
# engine again and pytest rewrites the asserts of every test file in every worker.
unset PYTHONDONTWRITEBYTECODE
ARGS=()
MARK=()
FAST=0
for arg in "$@"; do
  if [ "$arg" = "--fast" ]; then FAST=1; MARK=(-m "not system"); else ARGS+=("$arg"); fi
done
PARALLEL=(-n "${TEST_JOBS:-auto}" --dist loadgroup)
PHASES=2
STOP_EARLY=0
for arg in ${ARGS[@]+"${ARGS[@]}"}; do
  case "$arg" in
    -n|-n*|--numprocesses*|--pdb|--trace|xdist|no:xdist) PARALLEL=(); PHASES=1 ;;
    -m|-m*) PHASES=1 ;;
    -x|--exitfirst|--maxfail*) STOP_EARLY=1 ;;
  esac
done
if [ "${TEST_JOBS:-}" = "1" ]; then PARALLEL=(); PHASES=1; fi
[ "$FAST" = 1 ] && PHASES=1  # the solo tests are system tests (tests/conftest.py)

PHASE_LOG="$LOG_DIR/phase.log"
run_pytest() {  # pytest with the arguments given, then any given to this script
  "$VPY" -m pytest -q -rs --durations=15 "$@" ${ARGS[@]+"${ARGS[@]}"}
}
# pytest's closing line of a phase ("3 failed, 40 passed, 1 skipped in 9.1s"); a count of it.
closing() { grep -E '^=* ?([0-9]+ [a-z]+(, )?)+ in [0-9.]+s' "$1" | tail -1; }
count() { local n; n=$(grep -Eo "[0-9]+ $2" <<<"$1" | head -1 | cut -d' ' -f1 || true); echo "${n:-0}"; }

set +e
if [ "$PHASES" = 1 ]; then
  run_pytest ${PARALLEL[@]+"${PARALLEL[@]}"} ${MARK[@]+"${MARK[@]}"}
  rc=$?
  [ "$rc" -eq 5 ] && echo "ERROR: pytest collected no tests" >&2
  exit "$rc"
fi
echo "== phase 1 of 2: the tests that measure the machine (marked solo), one at a time"
run_pytest -p no:xdist -m solo | tee "$PHASE_LOG"
rc1=${PIPESTATUS[0]}
line1="$(closing "$PHASE_LOG")"
if [ "$STOP_EARLY" = 1 ] && [ "$rc1" -ne 0 ] && [ "$rc1" -ne 5 ]; then exit "$rc1"; fi
echo "== phase 2 of 2: every other test, on every core"
run_pytest "${PARALLEL[@]}" -m "not solo" | tee "$PHASE_LOG"
rc2=${PIPESTATUS[0]}
line2="$(closing "$PHASE_LOG")"
set -e
rc=0
for code in "$rc1" "$rc2"; do
  if [ "$code" -ne 0 ] && [ "$code" -ne 5 ] && [ "$rc" -eq 0 ]; then rc=$code; fi
done
if [ "$rc1" -eq 5 ] && [ "$rc2" -eq 5 ]; then
  echo "ERROR: pytest collected no tests" >&2
  exit 5
fi
passed=$(( $(count "$line1" passed) + $(count "$line2" passed) ))
failed=$(( $(count "$line1" failed) + $(count "$line1" error) + $(count "$line2" failed) + $(count "$line2" error) ))
skipped=$(( $(count "$line1" skipped) + $(count "$line2" skipped) ))
echo "phase 1: ${line1:-no test selected}"
echo "phase 2: ${line2:-no test selected}"
echo "total: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
