#!/usr/bin/env bash
# The experiment scripts as a user runs them (issue 15): checkpoints go under
# out/ and are never replaced without --force (the bundled model stays
# untouched), a mistyped option is one line and a usage hint, Ctrl-C during
# training saves, says so and exits 130, --help lists every option the docs
# mention.  Runs in a temporary working directory; a few seconds in all.
#
#   tests/scripts/run_script_tests.sh path/to/nnsh
set -u
NNSH=$(readlink -f "${1:?usage: run_script_tests.sh path/to/nnsh}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TIMEOUT=${NNSH_TEST_TIMEOUT:-60}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() {
  echo "FAIL - $1"
  [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    | /'
  fail=$((fail + 1))
}
run() { # run nnsh with args; sets out, err, rc
  out=$("$NNSH" "$@" 2>"$tmp/err" </dev/null)
  rc=$?
  err=$(cat "$tmp/err")
}

# --- item 1: no script replaces a model without being asked -------------------
bundled=$(sha256sum "$ROOT"/models/* | sort)
q2=("$ROOT/scripts/q2_train.lua" --configs 4x8 --subset 400 --epochs 1 --plots '' --quiet)
run "${q2[@]}"
if [ $rc = 0 ] && [ -f out/q2/q2_D4_P8.h5 ] && [ "$(sha256sum "$ROOT"/models/* | sort)" = "$bundled" ]; then
  ok "q2_train writes its checkpoint under out/q2 by default, models/ untouched"
else
  bad "q2_train default output" "rc=$rc $err $(ls -R out 2>&1)"
fi
before=$(sha256sum out/q2/q2_D4_P8.h5)
run "${q2[@]}"
if [ $rc != 0 ] && printf '%s' "$err" | grep -q "q2_train: out/q2/q2_D4_P8.h5 exists (--force to overwrite" &&
   [ "$(sha256sum out/q2/q2_D4_P8.h5)" = "$before" ]; then
  ok "q2_train refuses to replace an existing checkpoint"
else
  bad "q2_train refuses" "rc=$rc $err"
fi
run "${q2[@]}" --seed 2 --force
if [ $rc = 0 ] && [ "$(sha256sum out/q2/q2_D4_P8.h5)" != "$before" ]; then
  ok "q2_train --force replaces it"
else
  bad "q2_train --force" "rc=$rc $err"
fi
run "$ROOT/scripts/examples/xor.lua"
run "$ROOT/scripts/examples/xor.lua"
if [ $rc != 0 ] && printf '%s' "$err" | grep -q "out/xor.h5 exists"; then
  ok "examples/xor.lua refuses to replace out/xor.h5"
else
  bad "xor.lua refuses" "rc=$rc $err"
fi
mkdir -p out/q3 && : >out/q3/q3_rnn.h5
run "$ROOT/scripts/q3_rnn.lua" --cell rnn --epochs 1
if [ $rc != 0 ] && printf '%s' "$err" | grep -q "q3_rnn: out/q3/q3_rnn.h5 exists (--force to overwrite" &&
   [ ! -s out/q3/q3_rnn.h5 ]; then
  ok "q3_rnn refuses to replace an existing model before training"
else
  bad "q3_rnn refuses" "rc=$rc $err"
fi

# --- item 2: a mistyped flag is one line and a usage hint -----------------------
check_usage() { # name, expected first line, script args...
  local name=$1 want=$2
  shift 2
  run "$@"
  if [ $rc = 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 2 ] &&
     [ "$(printf '%s\n' "$err" | head -n 1)" = "$want" ] &&
     printf '%s\n' "$err" | tail -n 1 | grep -q "^usage: .*--help lists the options"; then
    ok "$name"
  else
    bad "$name" "rc=$rc $err"
  fi
}
check_usage "q1_autoencoder --epoch: one line, a suggestion, a usage hint" \
  "nnsh: q1_autoencoder.lua: unknown option --epoch (did you mean --epochs?)" \
  "$ROOT/scripts/q1_autoencoder.lua" --epoch 1
check_usage "q3_rnn --cell xyz: one line naming the choices" \
  "nnsh: q3_rnn.lua: option --cell must be one of rnn, lstm, gru, got 'xyz'" \
  "$ROOT/scripts/q3_rnn.lua" --cell xyz
check_usage "q1_autoencoder --lhid 0: the script's own check is a usage error too" \
  "nnsh: q1_autoencoder.lua: --lhid must be a positive integer, got 0" \
  "$ROOT/scripts/q1_autoencoder.lua" --lhid 0

run "$ROOT/scripts/q5_fcnet.lua" --compare xyz
if [ $rc = 1 ] && [ "$err" = "nnsh: q5_fcnet: --compare must be none, optim, batchnorm or dropout, got 'xyz'" ]; then
  ok "a script's own error(msg, 0) prints as one line, no traceback"
else
  bad "script error(msg, 0)" "rc=$rc $err"
fi

# --- item 3: Ctrl-C during training --------------------------------------------
# interrupt NAME PATTERN WAIT SCRIPT ARGS...: run SCRIPT (stdout to $tmp/NAME.out,
# stderr to $tmp/NAME.err), send SIGINT WAIT seconds after its stdout shows
# PATTERN (training has started); sets rc to its exit status.
interrupt() {
  local name=$1 pattern=$2 wait=$3
  shift 3
  "$NNSH" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null &
  local pid=$! deadline=$((SECONDS + TIMEOUT))
  until grep -q "$pattern" "$tmp/$name.out" 2>/dev/null || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
  sleep "$wait"
  kill -INT $pid
  while kill -0 $pid 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  kill -KILL $pid 2>/dev/null
  wait $pid
  rc=$?
}

interrupt int "^nn.fit:.*samples" 0.5 "$ROOT/scripts/q2_train.lua" --configs 8x32 --subset 100000 \
  --epochs 200 --patience 200 --plots '' --out "$tmp/int" --json "$tmp/int.json"
if [ $rc = 130 ] && grep -q "^interrupted: training stopped by Ctrl-C" "$tmp/int.err" &&
   [ -f "$tmp/int/q2_D8_P32.h5" ] && grep -q '"interrupted": *true' "$tmp/int.json"; then
  ok "Ctrl-C in q2_train: saves the checkpoint and results, says so, exits 130"
else
  bad "Ctrl-C in q2_train" "rc=$rc $(cat "$tmp/int.err") $(tail -n 3 "$tmp/int.out")"
fi

# The autoencoder's own loop (ae.train): the same contract as nn.fit's.
interrupt q1int "^parts b, c" 1 "$ROOT/scripts/q1_autoencoder.lua" --epochs 100000 --quiet \
  --out "$tmp/q1int" --json "$tmp/q1int.json"
if [ $rc = 130 ] && grep -q "^interrupted: training (in epoch [0-9]*) stopped by Ctrl-C" "$tmp/q1int.err" &&
   [ -f "$tmp/q1int/features.png" ] && grep -q '"interrupted": *true' "$tmp/q1int.json"; then
  ok "Ctrl-C in q1_autoencoder: writes the pictures and results, says so, exits 130"
else
  bad "Ctrl-C in q1_autoencoder" "rc=$rc $(cat "$tmp/q1int.err") $(tail -n 3 "$tmp/q1int.out")"
fi

# --- item 13: --help lists every option, including --no-<flag> -----------------
run "$ROOT/scripts/q3_rnn.lua" --help
if [ $rc = 0 ] && printf '%s' "$out" | grep -q -- "--\[no-\]standardize"; then
  ok "q3_rnn --help lists --no-standardize"
else
  bad "q3_rnn --help" "$out"
fi
for pair in q1:q1_autoencoder q1:q1_sweep q2:q2_train q2:q2_topk q3:q3_rnn q3:q3_compare q5_convnet:q5_convnet; do
  doc=$ROOT/docs/${pair%%:*}.md script=${pair#*:}
  help=$("$NNSH" "$ROOT/scripts/$script.lua" --help 2>&1)
  missing=""
  # options the page shows on the script's own command lines
  # (the command line and its continuation lines, up to the next command)
  opts=$(awk -v s="scripts/$script.lua" 'index($0, s) { on = 1; print; next }
    on && /nnsh |^ *$|^[^ ]/ { on = 0 } on { print }' "$doc" | grep -oE -- "--(no-)?[a-z][a-z-]*" | sort -u)
  for o in $opts; do
    name=${o#--}
    if [[ $name == no-* ]]; then
      printf '%s' "$help" | grep -q -- "--\[no-\]${name#no-}" || missing="$missing $o"
    else
      printf '%s' "$help" | grep -qE -- "--(\[no-\])?$name( |$)" || missing="$missing $o"
    fi
  done
  if [ -z "$missing" ]; then ok "$script --help lists every option docs/${pair%%:*}.md shows"; else bad "$script --help misses$missing"; fi
done

echo "$pass passed, $fail failed"
[ $fail = 0 ]
