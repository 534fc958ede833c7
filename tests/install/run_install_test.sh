#!/usr/bin/env bash
# The installed layout (issue 15, item 16): `cmake --install BUILD --prefix P`
# puts nnsh on P/bin and its Lua modules, scripts, data and models under
# P/share/nnsh; the installed nnsh runs the demo from another directory,
# finds its files relative to itself (not the source tree), and `nnsh -v`
# says where it looks.
#
#   tests/install/run_install_test.sh BUILD_DIR
set -u
BUILD=$(readlink -f "${1:?usage: run_install_test.sh BUILD_DIR}")
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() {
  echo "FAIL - $1"
  [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    | /'
  fail=$((fail + 1))
}

P=$tmp/prefix
if cmake --install "$BUILD" --prefix "$P" >"$tmp/install.log" 2>&1; then
  ok "cmake --install into a temporary prefix"
else
  bad "cmake --install" "$(tail -n 20 "$tmp/install.log")"
fi
missing=""
for f in bin/nnsh share/nnsh/lua/nn/fit.lua share/nnsh/lua/shell/help.lua \
         share/nnsh/lua/experiments/trigram.lua share/nnsh/scripts/q2_topk.lua \
         share/nnsh/data/data2.h5 share/nnsh/models/q2_D32_P256.h5 lib/nnsh/nn.so lib/nnsh/nnh5.so; do
  [ -e "$P/$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then ok "nnsh, modules, scripts, data and models in their places"; else bad "installed files missing:$missing"; fi

# From an unrelated directory, with no hint from the environment.
mkdir -p "$tmp/elsewhere"
cd "$tmp/elsewhere"
unset NNSH_LUA_DIR
out=$(env -u NNSH_LUA_DIR "$P/bin/nnsh" -v 2>&1)
if printf '%s' "$out" | grep -qF "files: $(readlink -f "$P")/share/nnsh  (installed layout"; then
  ok "nnsh -v names the installed files"
else
  bad "nnsh -v" "$out"
fi
out=$(env -u NNSH_LUA_DIR "$P/bin/nnsh" "$P/share/nnsh/scripts/q2_topk.lua" --samples 1 "what does new" 2>&1)
rc=$?
if [ $rc = 0 ] && printf '%s' "$out" | grep -qE "^ +1 +york "; then
  ok "the installed demo answers 'what does new' -> york from another directory"
else
  bad "installed demo" "rc=$rc $out"
fi
out=$(env -u NNSH_LUA_DIR "$P/bin/nnsh" -e "print(package.searchpath('trigram', package.path), require('trigram').default_model)" 2>&1)
case "$out" in
  "$(readlink -f "$P")/share/nnsh/lua/experiments/trigram.lua	$(readlink -f "$P")/share/nnsh/models/q2_D32_P256.h5") ok "modules and the model come from the prefix, not the source tree" ;;
  *) bad "module paths" "$out" ;;
esac
# A copy of the tree moved elsewhere still finds its own files.
cp -r "$P" "$tmp/moved"
out=$(env -u NNSH_LUA_DIR "$tmp/moved/bin/nnsh" -e "print(require('trigram').default_model)" 2>&1)
if [ "$out" = "$tmp/moved/share/nnsh/models/q2_D32_P256.h5" ]; then
  ok "a moved installation uses its own files"
else
  bad "moved installation" "$out"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
