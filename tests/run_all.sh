#!/usr/bin/env bash
# Runs every test of a build: ctest (C unit tests and the REPL test) and the
# busted specs, then prints one summary line "N passed, N failed" (with
# ", N skipped" and the reasons when a spec skipped tests).
# Usage: tests/run_all.sh BUILD_DIR
# With NNSH_SANITIZED=1 (an ASan/UBSan build) the specs run inside that
# build's nnsh, so the sanitized module is the one exercised.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
root=$PWD
passed=0
failed=0

echo "== C tests and REPL test (ctest)"
ctest_log=$(mktemp)
ctest --test-dir "$build" --output-on-failure 2>&1 | tee "$ctest_log"
c_total=$(sed -n 's/.*tests passed, \([0-9]*\) tests\? failed out of \([0-9]*\).*/\2/p' "$ctest_log")
c_failed=$(sed -n 's/.*tests passed, \([0-9]*\) tests\? failed out of \([0-9]*\).*/\1/p' "$ctest_log")
if [ -z "$c_total" ]; then
  echo "run_all: ctest did not report a result"
  c_total=1; c_failed=1
fi
passed=$((passed + c_total - c_failed))
failed=$((failed + c_failed))
rm -f "$ctest_log"

echo "== Lua specs (busted)"
export LUA_CPATH="$root/$build/?.so;;"
export LUA_PATH="$root/lua/?.lua;$root/lua/shell/?.lua;$root/lua/experiments/?.lua;;"
export NNSH_LUA_DIR="$root/lua"
export NNSH_BUILD="$root/$build"
if [ "${NNSH_SANITIZED:-0}" = 1 ]; then
  runner=("$root/$build/nnsh" /usr/bin/busted)
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
else
  runner=(lua5.4 /usr/bin/busted)
fi
# The specs (and the help examples they run) write files under out/ of their
# working directory.  They run in a scratch directory that links every other
# top-level entry of the checkout, so the checkout's own out/ (a user's
# results) is never touched.
scratch=$(mktemp -d)
for f in "$root"/* "$root"/.[!.]*; do
  case "$(basename "$f")" in out|.git) ;; *) [ -e "$f" ] && ln -s "$f" "$scratch/" ;; esac
done
tap=$(mktemp)
(cd "$scratch" && "${runner[@]}" --output=TAP tests/lua) 2>&1 | tee "$tap"
busted_rc=${PIPESTATUS[0]}
rm -rf "$scratch"
# Skipped specs ("ok N - # SKIP reason", e.g. Slurm where it cannot run)
# are counted apart from passes and their reasons repeated at the end.
l_skip=$(grep -c '^ok .*# SKIP' "$tap")
skips=$(grep '^ok .*# SKIP' "$tap" | sed 's/^ok [0-9]* - # SKIP /  skipped: /')
l_ok=$(( $(grep -c '^ok ' "$tap") - l_skip ))
l_bad=$(grep -c '^not ok ' "$tap")
if [ "$busted_rc" -ne 0 ] && [ "$l_bad" -eq 0 ]; then
  echo "run_all: busted exited with status $busted_rc"
  l_bad=1
fi
if [ "$l_ok" -eq 0 ] && [ "$l_bad" -eq 0 ] && [ "$l_skip" -eq 0 ]; then
  echo "run_all: busted ran no spec"
  l_bad=1
fi
passed=$((passed + l_ok))
failed=$((failed + l_bad))
rm -f "$tap"

echo
[ -n "$skips" ] && echo "$skips"
if [ "$l_skip" -gt 0 ]; then
  echo "$passed passed, $failed failed, $l_skip skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
