#!/usr/bin/env bash
# Tests of the nnsh executable: the REPL driven through a tmux
# pseudo-terminal (multi-line input, auto-print, tab completion, Ctrl-C,
# errors, ?help, history), then script mode (arg, -e, -i, exit status).
#
#   tests/repl/run_repl_tests.sh path/to/nnsh
#
# Prints one line per check and "N passed, N failed"; exits 1 on failure.
# Every wait polls the screen with a generous timeout (a loaded 2-core CI
# machine can be slow), never a fixed sleep that a slow run could outlast.
set -u
NNSH=$(readlink -f "${1:?usage: run_repl_tests.sh path/to/nnsh}")
HERE=$(cd "$(dirname "$0")" && pwd)
TIMEOUT=${NNSH_TEST_TIMEOUT:-30}
pass=0
fail=0
tmp=$(mktemp -d)
SOCK="nnsh-test-$$"
export NNSH_HISTORY="$tmp/history"
# no timing lines unless a check asks for them (a loaded machine can make
# any command slow); the timing checks turn it on with timing(s)
export NNSH_TIMING=off

T() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup() {
  T kill-server 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

ok() {
  echo "ok - $1"
  pass=$((pass + 1))
}
bad() {
  echo "FAIL - $1"
  [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    | /'
  fail=$((fail + 1))
}

# --- pty helpers --------------------------------------------------------
screen() { T capture-pane -p -t repl 2>/dev/null; }

# poll until `grep $2 -- $1` matches the screen (or the timeout passes)
wait_screen() {
  local pattern=$1 flags=${2:--F} deadline=$((SECONDS + TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    screen | grep -q $flags -- "$pattern" && return 0
    sleep 0.1
  done
  return 1
}

# the shell is idle at an empty primary prompt (last non-blank line is ">")
wait_prompt() {
  local deadline=$((SECONDS + TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(screen | grep -v '^ *$' | tail -n 1)" = ">" ] && return 0
    sleep 0.1
  done
  return 1
}

start_shell() { # args: extra nnsh arguments
  T kill-server 2>/dev/null
  rm -f "$tmp/exit"
  # sh records the exit status; its trap keeps Ctrl-C from killing sh itself
  # while nnsh still starts with the default SIGINT action
  T new-session -d -s repl -x 160 -y 50 \
    "env TERM=xterm sh -c 'trap : INT; $(printf '%q ' "$NNSH" "$@"); echo \$? >$tmp/exit'"
  wait_prompt
}

# clear the screen at an idle prompt so each check sees only its own output
fresh() {
  wait_prompt
  T send-keys -t repl C-l
  T clear-history -t repl
  local deadline=$((SECONDS + TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(screen | grep -v '^ *$')" = ">" ] && return 0
    sleep 0.1
  done
}

last_line() { screen | grep -v '^ *$' | tail -n 1 | sed 's/ *$//'; }

# type text at the prompt and wait for readline to echo it, so that the keys
# that follow reach readline and not the terminal's cooked mode
type_text() {
  T send-keys -t repl -l -- "$1"
  local want deadline=$((SECONDS + TIMEOUT))
  want=$(printf '%s' "$1" | sed 's/ *$//')
  while [ $SECONDS -lt $deadline ]; do
    [[ "$(last_line)" == *"$want" ]] && return 0
    sleep 0.1
  done
  return 1
}
enter() { T send-keys -t repl Enter; }
send_line() {
  type_text "$1"
  enter
}

# check NAME INPUT EXPECTED_LINE [-E]: type a line, expect a whole output
# line (a fixed string, or an extended regexp with -E)
check_line() {
  fresh
  send_line "$2"
  local mode=${4:--F}
  if wait_screen "$3" "-x${mode#-}"; then ok "$1"; else bad "$1" "$(screen)"; fi
}

# check_screen NAME INPUT EXPECTED: the whole screen (blank lines dropped)
check_screen() {
  fresh
  send_line "$2"
  local deadline=$((SECONDS + TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(screen | grep -v '^ *$' | sed 's/ *$//')" = "$3" ] && break
    sleep 0.1
  done
  if [ "$(screen | grep -v '^ *$' | sed 's/ *$//')" = "$3" ]; then ok "$1"; else bad "$1" "$(screen)"; fi
}

# --- REPL ------------------------------------------------------------------
if ! command -v tmux >/dev/null; then
  bad "tmux is installed (needed for the REPL tests)"
else
  if start_shell && screen | grep -q "^nnsh .*Lua 5.4" &&
     screen | grep -q "help() for help, ?name for docs"; then
    ok "banner shows version, Lua, OpenBLAS and the help hint"
    banner_threads=$(screen | grep -oE '[0-9]+ threads?' | head -n 1 | grep -oE '^[0-9]+')
    if screen | grep -qE "OpenBLAS kernel [A-Za-z0-9_]+ \((detected|OPENBLAS_CORETYPE|chosen by nnsh|--blas-core|NNSH_BLAS_CORE|fallback)\), [0-9]+ threads? \(.*\), FTZ (on|off)\)"; then
      ok "banner names the kernel and thread count and why"
    else
      bad "banner kernel/threads" "$(screen)"
    fi
    check_line "the banner's thread count is the one in use" "threads()" "$banner_threads"
  else
    bad "banner" "$(screen)"
  fi

  check_line "expression 1+1 prints 2" "1+1" "2"
  # (the pane shows tabs as spaces)
  check_line "several results are tab-separated" "1, 'a', nil" "1 +a +nil" -E
  check_line "a table is pretty-printed, keys sorted" \
    "{b = 2, a = 'x', {y = true}, 10}" '{{y = true}, 10, a = "x", b = 2}'
  check_screen "a statement prints nothing" "v = 40; v = v + 2" "> v = 40; v = v + 2
>"
  check_line "the global assigned before is kept" "v" "42"
  check_screen "a call returning nothing prints only its output" "print('only me')" \
    "> print('only me')
only me
>"
  check_screen "a call returning nil prints nothing" "(function() return nil end)()" \
    "> (function() return nil end)()
>"
  check_line "a variable holding nil prints nil" "undefined_variable" "nil"

  fresh
  send_line "function sq(x)"
  if wait_screen '^>> ?$' -E; then ok "incomplete line gives a continuation prompt"; else bad "continuation prompt" "$(screen)"; fi
  send_line "  return x * x"
  send_line "end"
  check_line "multi-line function defined and called" "sq(7)" "49"

  fresh
  type_text "string.up"
  T send-keys -t repl Tab
  if wait_screen "> string.upper(" -F; then ok "TAB completes string.up to string.upper("; else bad "TAB string.up" "$(screen)"; fi
  type_text "'abc')"
  enter
  if wait_screen "ABC" -xF; then ok "completed call runs"; else bad "completed call runs" "$(screen)"; fi

  fresh
  type_text "sq"
  T send-keys -t repl Tab
  if wait_screen "> sq(" -F; then ok "TAB completes a global function"; else bad "TAB global" "$(screen)"; fi
  T send-keys -t repl C-u

  # nn's Lua parts, help, optim, plot and image load on first use: their
  # names complete before that, and completing does not load them
  fresh
  type_text "nn.Conv"
  T send-keys -t repl Tab
  if wait_screen "> nn.Conv2d(" -F; then ok "TAB completes nn.Conv to nn.Conv2d( before nn.conv loads"; else bad "TAB nn.Conv" "$(screen)"; fi
  T send-keys -t repl C-u
  fresh
  type_text "nn.BatchNorm"
  T send-keys -t repl Tab
  T send-keys -t repl Tab
  if wait_screen "BatchNorm2d" -F && wait_screen "BatchNorm " -F; then ok "TAB TAB lists lazily loaded nn names"; else bad "TAB TAB nn.BatchN" "$(screen)"; fi
  T send-keys -t repl C-u
  fresh
  type_text "hel"
  T send-keys -t repl Tab
  if wait_screen "> help(" -F; then ok "TAB completes hel to help( before help loads"; else bad "TAB hel" "$(screen)"; fi
  T send-keys -t repl C-u
  fresh
  type_text "opti"
  T send-keys -t repl Tab
  if wait_screen "> optim$" -E; then ok "TAB completes opti to optim (a module: no parenthesis)"; else bad "TAB opti" "$(screen)"; fi
  T send-keys -t repl C-u
  check_line "completion loaded no module" \
    "print(rawget(_G, 'optim'), rawget(_G, 'help'), package.loaded['nn.conv'], package.loaded['nn.normalization'])" \
    "nil +nil +nil +nil" -E

  if [ "$("$NNSH" -e 'io.write(type(nn.zeros))' 2>/dev/null </dev/null)" = function ]; then
    fresh
    send_line "t = nn.zeros(2, 3)"
    check_line "make a tensor" "type(t)" "userdata"
    fresh
    type_text "t:nu"
    T send-keys -t repl Tab
    if wait_screen "> t:numel(" -F; then ok "TAB completes t:nu to t:numel("; else bad "TAB t:nu" "$(screen)"; fi
    type_text ")"
    enter
    if wait_screen "6" -xF; then ok "t:numel() after completion is 6"; else bad "t:numel()" "$(screen)"; fi
  else
    echo "skip - tensor completion (nn.zeros not bound yet)"
  fi

  fresh
  # each loop prints a marker first: once it shows, Ctrl-C reaches Lua code
  send_line "n = 0; print('looping'); while true do n = n + 1 end"
  wait_screen "looping" -xF
  T send-keys -t repl C-c
  if wait_screen "interrupted!" -F && wait_prompt; then ok "Ctrl-C stops an endless loop"; else bad "Ctrl-C stops a loop" "$(screen)"; fi
  check_line "after Ctrl-C the shell answers 1+1" "1+1" "2"
  check_line "after Ctrl-C globals are intact" "sq(3), n > 0" "9 +true" -E

  fresh
  send_line "nn.catch_interrupt(true); k = 0; print('looping'); while not nn.interrupted() do k = k + 1 end; nn.catch_interrupt(false); print('caught', k > 0)"
  wait_screen "looping" -xF
  T send-keys -t repl C-c
  if wait_screen "caught +true$" -E; then ok "nn.catch_interrupt: Ctrl-C only raises the flag"; else bad "catch_interrupt soft" "$(screen)"; fi

  fresh
  send_line "nn.catch_interrupt(true); print('looping'); while true do end"
  wait_screen "looping" -xF
  T send-keys -t repl C-c
  sleep 1 # two signals too close together would merge into one
  T send-keys -t repl C-c
  if wait_screen "interrupted!" -F; then ok "a second Ctrl-C while caught aborts"; else bad "second Ctrl-C" "$(screen)"; fi
  check_line "the catch left by the aborted chunk was dropped" "nn.catch_interrupt(true)" "1"
  send_line "nn.catch_interrupt(false)"

  fresh
  send_line "local function inner() error('oops') end inner()"
  if wait_screen "stdin:1: oops" -F && wait_screen "stack traceback:" -F &&
     wait_screen "in local 'inner'" -F; then
    ok "a runtime error prints message and traceback"
  else
    bad "runtime error traceback" "$(screen)"
  fi
  check_line "after an error the shell goes on" "1+1" "2"

  fresh
  type_text "abc def"
  T send-keys -t repl C-c
  if wait_screen "> abc def^C" -F; then ok "Ctrl-C at the prompt shows ^C"; else bad "Ctrl-C at prompt" "$(screen)"; fi
  check_line "and the line was dropped" "1+2" "3"

  fresh
  send_line "function unfinished()"
  wait_screen '^>> ?$' -E
  T send-keys -t repl C-c
  check_line "Ctrl-C in a continuation drops the statement" "type(unfinished)" "nil"

  check_line "?name shows the docstring" "?nn.catch_interrupt" "nn.catch_interrupt(on) -> depth"
  check_line "? alone shows the overview" "?" "nnsh: Lua 5.4 with float32 tensors and neural networks."
  check_line "?string.upper points at the Lua manual" "?string.upper" \
    "string.upper: Lua standard function, see the Lua 5.4 manual:"
  check_line "help(nn) lists documented functions" "help(nn)" "  nn.doc(f) -> string or nil"
  check_line "?unknown says so" "?nn.nosuchthing" "help: no such name: nn.nosuchthing"
  check_line "threads() returns the BLAS thread count" "threads(1)" "1"
  check_line "mem() reports tensor and Lua memory" "mem().lua_bytes > 0" "true"

  # --- issue 15: errors, single rendering, timing, banner ------------------
  send_line "tg = require 'trigram'; m = tg.load()"
  check_screen "a usage error from nnsh's code is one line" 'm:topk("what dose new")' \
    "> m:topk(\"what dose new\")
unknown word 'dose' (not among the 250 words of the vocabulary); closest: does, case, come, do, down
>"
  fresh
  send_line "trace()"
  if wait_screen "stack traceback:" -F && wait_screen "in method 'word_id'" -F; then
    ok "trace() shows the full traceback of the last error"
  else
    bad "trace()" "$(screen)"
  fi
  check_line "?m:topk documents the loaded model's method" "?m:topk" \
    "m:topk(text [, k=10]) -> ranked list of {word=, p=} (prints as a table)"
  check_line "?m.topk too" "?m.topk" "m:topk(text [, k=10]) -> ranked list of {word=, p=} (prints as a table)"
  fresh
  send_line "?tg"
  wait_prompt
  if screen | grep -q "tg.tokenize(text" && ! screen | grep -q "Undocumented"; then
    ok "?tg lists only documented functions"
  else
    bad "?tg" "$(screen)"
  fi
  check_screen "a size mismatch is one line" "nn.mm(nn.ones(2, 3), nn.ones(2, 3))" \
    "> nn.mm(nn.ones(2, 3), nn.ones(2, 3))
nn.mm: size mismatch, (2x3) * (2x3)
>"
  check_screen "image.grid with a path shows one line, not its results again" \
    "image.grid(nn.rand(4, 8, 8), {path = '$tmp/g.png'})" \
    "> image.grid(nn.rand(4, 8, 8), {path = '$tmp/g.png'})
wrote $tmp/g.png (19x19)
>"
  check_screen "a table of tensors prints one line per entry" \
    "{a = nn.zeros(100, 3, 16, 16), b = nn.tensor{1, 2}}" \
    "> {a = nn.zeros(100, 3, 16, 16), b = nn.tensor{1, 2}}
{
  a = <float32 100x3x16x16  range [0, 0]>,
  b = <float32 2  {1, 2}>
}
>"
  if command -v gnuplot >/dev/null; then
    fresh
    send_line "plot.term{{name = 'a', y = {3, 2, 1}}, terminal = {50, 12}}"
    wait_prompt
    frames=$(screen | grep -c -- "+-----")
    if [ "$frames" = 2 ]; then ok "plot.term draws the plot once"; else bad "plot.term once ($frames frames)" "$(screen)"; fi
  fi
  fresh
  send_line "timing(0.5)"
  check_screen "a fast command shows no time" "1 + 1" "> 1 + 1
2
>"
  check_line "a command over the threshold is followed by its time" \
    "t0 = nn.clock(); while nn.clock() - t0 < 0.7 do end" '^[0-9]+ ms$|^[0-9]+\.[0-9]+ s$' -E
  send_line "timing(false)"

  fresh
  send_line "function cube(x)"
  send_line "  return x * x * x"
  send_line "end"
  deadline=$((SECONDS + TIMEOUT))
  until [ "$(screen | grep -v '^ *$' | tail -n 2 | head -n 1)" = ">> end" ] &&
        [ "$(last_line)" = ">" ] || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
  T send-keys -t repl C-d
  deadline=$((SECONDS + TIMEOUT))
  while [ $SECONDS -lt $deadline ] && [ ! -s "$tmp/exit" ]; do sleep 0.1; done
  if [ "$(cat "$tmp/exit" 2>/dev/null)" = 0 ]; then
    ok "Ctrl-D exits with status 0"
  else
    bad "Ctrl-D exits" "$(screen)"
  fi
  if grep -qx "function cube(x)" "$NNSH_HISTORY" && grep -qx "sq(7)" "$NNSH_HISTORY"; then
    ok "history is written to \$NNSH_HISTORY"
  else
    bad "history file" "$(cat "$NNSH_HISTORY" 2>&1)"
  fi

  start_shell
  fresh
  T send-keys -t repl Up
  if wait_screen "  return x * x * x" -F; then ok "a multi-line entry comes back whole from the history file"; else bad "history recall" "$(screen)"; fi
  enter
  check_line "and runs again in a new session" "cube(3)" "27"

  printf 'greeting = "hi from " .. arg[0]\n' >"$tmp/init.lua"
  start_shell -i "$tmp/init.lua"
  check_line "-i runs the script, then the REPL with its globals" "greeting" "hi from $tmp/init.lua"
  T kill-server 2>/dev/null
fi

# --- script mode -------------------------------------------------------------
run() { # run nnsh with args; sets out, err, rc
  out=$("$NNSH" "$@" 2>"$tmp/err" </dev/null)
  rc=$?
  err=$(cat "$tmp/err")
}

cat >"$tmp/args.lua" <<'EOF'
print(arg[0], arg[1], arg[2], select("#", ...), arg[-1] ~= nil, ...)
EOF
run "$tmp/args.lua" a "b c"
expect=$(printf '%s\ta\tb c\t2\ttrue\ta\tb c' "$tmp/args.lua")
if [ $rc = 0 ] && [ "$out" = "$expect" ]; then ok "script gets arg and ..."; else bad "arg table" "$out $err"; fi

run -e "x = 20" -e "print(x + 1)"
if [ $rc = 0 ] && [ "$out" = 21 ]; then ok "-e can repeat"; else bad "-e repeat" "$out $err"; fi

run -e "print(arg[0], arg[1])"
if [ "$out" = "$(printf '%s\t-e' "$NNSH")" ]; then ok "without a script arg[0] is nnsh itself"; else bad "arg without script" "$out $err"; fi

printf 'print(y)\n' >"$tmp/y.lua"
run -e "y = 'set by -e'" "$tmp/y.lua"
if [ $rc = 0 ] && [ "$out" = "set by -e" ]; then ok "-e runs before the script"; else bad "-e with script" "$out $err"; fi

printf 'local a = 1\n\nerror("boom " .. a)\n' >"$tmp/fail.lua"
run "$tmp/fail.lua"
if [ $rc != 0 ] && printf '%s\n' "$err" | grep -qxF "nnsh: $tmp/fail.lua:3: boom 1" &&
   printf '%s\n' "$err" | grep -q "stack traceback:"; then
  ok "a failing script exits non-zero with 'nnsh: file:line: message' and a traceback"
else
  bad "failing script" "rc=$rc $err"
fi

printf 'x = = 1\n' >"$tmp/syntax.lua"
run "$tmp/syntax.lua"
if [ $rc != 0 ] && printf '%s' "$err" | grep -q "syntax.lua:1: unexpected symbol"; then
  ok "a syntax error exits non-zero"
else
  bad "syntax error" "rc=$rc $err"
fi

run "$tmp/no-such-file.lua"
if [ $rc != 0 ] && printf '%s' "$err" | grep -q "cannot open"; then ok "a missing script exits non-zero"; else bad "missing script" "rc=$rc $err"; fi

run -e "error('from -e')"
if [ $rc != 0 ] && printf '%s' "$err" | grep -q "(command line):1: from -e"; then ok "a failing -e exits non-zero"; else bad "-e error" "rc=$rc $err"; fi

run -v
if [ $rc = 0 ] && printf '%s' "$out" | grep -q "^nnsh [0-9.]*  (Lua 5.4"; then ok "-v prints the version"; else bad "-v" "$out $err"; fi

run -q
if [ $rc != 0 ] && printf '%s' "$err" | grep -q "usage: nnsh"; then ok "an unknown option prints usage and fails"; else bad "bad option" "rc=$rc $err"; fi

out=$(printf 'print(6 * 7)\n' | "$NNSH" 2>/dev/null)
if [ "$out" = 42 ]; then ok "stdin that is not a terminal runs as a script"; else bad "stdin script" "$out"; fi
out=$(printf 'print(select("#", ...), ...)\n' | "$NNSH" - p q 2>/dev/null)
if [ "$out" = "$(printf '2\tp\tq')" ]; then ok "'nnsh -' runs stdin with arguments"; else bad "nnsh -" "$out"; fi

run -e "threads(0)"
if [ $rc != 0 ] && printf '%s' "$err" | grep -q "threads: expected a thread count from 1 to 1024, got 0"; then
  ok "threads(0) is an error naming the function"
else
  bad "threads(0)" "$err"
fi

run -e "local docex = require 'nnsh.docex'
for _, f in ipairs{'threads', 'mem', 'trace', 'timing', 'help'} do
  local code = docex.example(nn.doc(_G[f]))
  assert(code, f .. ' has no example')
  assert(load(code, '=' .. f))()
end
print('examples ran')"
if [ $rc = 0 ] && printf '%s' "$out" | grep -q "examples ran"; then
  ok "the shell's own functions have help with examples that run"
else
  bad "shell function examples" "rc=$rc $err"
fi

fit="m = nn.Linear(3, 2); h = nn.fit{model = m, loss = nn.MSELoss(), optimizer = optim.sgd{lr = 0.1}, x = nn.ones(4, 3), quiet = true"
run -e "$fit, y = nn.ones(4, 5)}"
if [ $rc = 1 ] && [ "$err" = "nnsh: (command line):1: nn.C.mse_loss: input (4x2) and target (4x5) must have the same shape" ]; then
  ok "an nn.fit usage error is one line (no traceback, no second block)"
else
  bad "nn.fit usage error" "$err"
fi
run -e "$fit, y = nn.ones(4, 2), on_epoch = function() error('in my callback') end}"
if [ $rc = 1 ] && [ "$(printf '%s\n' "$err" | grep -c 'stack traceback:')" = 1 ] &&
   printf '%s' "$err" | grep -q "in my callback" && printf '%s' "$err" | grep -q "in field 'on_epoch'"; then
  ok "an error in the user's callback inside nn.fit has one traceback through it"
else
  bad "callback error in nn.fit" "$err"
fi

LUADIR="$(dirname "$(dirname "$HERE")")/lua"
run -e "for _, m in ipairs{'nn', 'help', 'threads', 'mem'} do assert(_G[m], m) end print(package.path:sub(1, #'$LUADIR/?.lua'))"
if [ $rc = 0 ] && [ "$out" = "$LUADIR/?.lua" ]; then ok "globals nn, help, threads, mem exist"; else bad "globals" "$err"; fi

mkdir -p "$tmp/lua"
for f in "$LUADIR"/*; do ln -s "$f" "$tmp/lua/"; done
rm -f "$tmp/lua/optim.lua"
printf 'return {{{\n' >"$tmp/lua/optim.lua"
out=$(NNSH_LUA_DIR="$tmp/lua" "$NNSH" -e "print(optim, type(nn))" 2>"$tmp/err" </dev/null)
rc=$?
err=$(cat "$tmp/err")
if [ $rc = 0 ] && [ "$out" = "$(printf 'nil\ttable')" ] && printf '%s' "$err" | grep -q "optim.lua"; then
  ok "a module that fails to load is reported and skipped"
else
  bad "broken module" "rc=$rc out=$out err=$err"
fi

"$NNSH" -e "print('looping') io.stdout:flush() while true do end" >"$tmp/out" 2>"$tmp/err" </dev/null &
pid=$!
deadline=$((SECONDS + TIMEOUT))
until grep -q looping "$tmp/out" || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
kill -INT $pid
while kill -0 $pid 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
kill -KILL $pid 2>/dev/null
wait $pid
rc=$?
if [ $rc = 130 ] && grep -q "interrupted!" "$tmp/err"; then ok "SIGINT stops a script with status 130 (128 + SIGINT)"; else bad "SIGINT in script" "rc=$rc $(cat "$tmp/err")"; fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
