/* Tab completion for the REPL.
 *
 * The word under the cursor may be a dotted path: "string.up", "nn.Lin",
 * "t:nu".  Everything before the last '.' or ':' is looked up from the
 * globals (in protected mode: a field access may run an __index function),
 * and the last part is completed from:
 *   - a table: its keys, those its metatable's __names lists (names an
 *     __index function loads on first use: name -> callable, e.g. nn's
 *     parts and the lazy globals), then those of its __index chain;
 *   - a userdata: getmetatable(v).__methods if it is a table (the tensor
 *     metatable has one), else __index if it is a table;
 *   - a string: the string library;
 *   - nothing before: globals and Lua keywords.
 * After ':' only functions are offered.  A unique function completes with
 * "(" appended; lists show only the last part of each name. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <readline/readline.h>

#include "shell.h"

static lua_State *LS;
static size_t shown_prefix; /* length of "a.b." not shown in match lists */

static const char *const keywords[] = {
    "and",   "break", "do",    "else", "elseif", "end",   "false", "for",
    "function", "goto", "if",  "in",   "local",  "nil",   "not",   "or",
    "repeat", "return", "then", "true", "until", "while", NULL};

static int is_keyword(const char *s) {
  for (const char *const *k = keywords; *k; k++)
    if (strcmp(*k, s) == 0) return 1;
  return 0;
}

static int ident_char(char c, int first) {
  return c == '_' || isalpha((unsigned char)c) || (!first && isdigit((unsigned char)c));
}

static int is_identifier(const char *s, size_t n) {
  if (n == 0) return 0;
  for (size_t i = 0; i < n; i++)
    if (!ident_char(s[i], i == 0)) return 0;
  return 1;
}

/* [-1, +1] Push the value of the dotted path s[0..n) from the globals.
 * Runs as a protected call: arguments are light pointers to s and n. */
static int resolve(lua_State *L) {
  const char *s = lua_touserdata(L, 1);
  size_t n = *(const size_t *)lua_touserdata(L, 2);
  lua_pushglobaltable(L);
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    while (j < n && s[j] != '.' && s[j] != ':') j++;
    if (!is_identifier(s + i, j - i) || !(lua_istable(L, -1) || lua_isuserdata(L, -1)))
      return 0;
    lua_pushlstring(L, s + i, j - i);
    lua_gettable(L, -2);
    lua_remove(L, -2);
    if (j < n && s[j] == ':') return 0; /* "a:b.c" is no path */
    i = j + 1;
  }
  return 1;
}

/* With key at -2 and value at -1: the key matches the prefix? */
static int key_matches(lua_State *L, const char *prefix, size_t plen) {
  size_t klen;
  if (lua_type(L, -2) != LUA_TSTRING) return 0;
  const char *k = lua_tolstring(L, -2, &klen);
  return klen >= plen && memcmp(k, prefix, plen) == 0 && is_identifier(k, klen) &&
         !is_keyword(k);
}

/* Collect identifier keys of the table at idx matching the prefix into the
 * set table at set (key -> is_function).  Adds the names of __names and
 * follows __index tables. */
static void collect_keys(lua_State *L, int idx, int set, const char *prefix,
                         size_t plen, int depth) {
  idx = lua_absindex(L, idx);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (key_matches(L, prefix, plen)) {
      lua_pushvalue(L, -2);
      int fn = lua_isfunction(L, -2);
      if (!fn && luaL_getmetafield(L, -2, "__call") != LUA_TNIL) {
        lua_pop(L, 1);
        fn = 1; /* a callable class table */
      }
      lua_pushboolean(L, fn);
      lua_rawset(L, set);
    }
    lua_pop(L, 1);
  }
  /* Not loaded yet, so not a key: listed without loading (completion must
   * not run a module's code). */
  int names_type = luaL_getmetafield(L, idx, "__names");
  if (names_type == LUA_TTABLE) {
    int names = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, names)) {
      if (key_matches(L, prefix, plen)) {
        lua_pushvalue(L, -2);
        if (lua_rawget(L, set) == LUA_TNIL) { /* a loaded value's kind wins */
          lua_pushvalue(L, -3);
          lua_pushboolean(L, lua_toboolean(L, -3));
          lua_rawset(L, set);
        }
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
    }
  }
  if (names_type != LUA_TNIL) lua_pop(L, 1); /* nothing pushed when absent */
  if (depth < 16 && luaL_getmetafield(L, idx, "__index") != LUA_TNIL) {
    if (lua_istable(L, -1)) collect_keys(L, -1, set, prefix, plen, depth + 1);
    lua_pop(L, 1);
  }
}

/* Push the table of names an object offers (see top comment), or nil. */
static int push_member_source(lua_State *L, int obj) {
  obj = lua_absindex(L, obj);
  if (lua_istable(L, obj)) {
    lua_pushvalue(L, obj);
    return 1;
  }
  if (!lua_getmetatable(L, obj)) return 0;
  if (lua_getfield(L, -1, "__methods") != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_getfield(L, -1, "__index");
  }
  lua_remove(L, -2);
  if (lua_istable(L, -1)) return 1;
  lua_pop(L, 1);
  return 0;
}

static char *dup_match(const char *path, size_t plen, const char *name) {
  size_t n = strlen(name);
  char *m = malloc(plen + n + 1);
  if (!m) return NULL;
  memcpy(m, path, plen);
  memcpy(m + plen, name, n + 1);
  return m;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Build readline's array: [0] = longest common prefix, then the matches. */
static char **finish_matches(char **list, int n) {
  if (n == 0) {
    free(list);
    return NULL;
  }
  qsort(list + 1, (size_t)n, sizeof *list, cmp_str);
  size_t common = strlen(list[1]);
  for (int i = 2; i <= n; i++) {
    size_t k = 0;
    while (k < common && list[i][k] == list[1][k]) k++;
    common = k;
  }
  list[0] = strndup(list[1], common);
  list[n + 1] = NULL;
  return list;
}

static char **complete(const char *text, int start, int end) {
  (void)start, (void)end;
  lua_State *L = LS;
  rl_attempted_completion_over = 1; /* never fall back to file names */
  rl_completion_append_character = '\0';
  int top = lua_gettop(L);
  const char *sep = strpbrk(text, ".:");
  const char *last = NULL;
  for (const char *p = sep; p; p = strpbrk(p + 1, ".:")) last = p;
  size_t plen = last ? (size_t)(last - text) + 1 : 0; /* "a.b." */
  const char *prefix = text + plen;
  int methods_only = last && *last == ':';
  lua_newtable(L);
  int set = lua_gettop(L);
  if (!last) {
    lua_pushglobaltable(L);
    collect_keys(L, -1, set, prefix, strlen(prefix), 0);
    for (const char *const *k = keywords; *k; k++)
      if (strncmp(*k, prefix, strlen(prefix)) == 0) {
        lua_pushboolean(L, 0);
        lua_setfield(L, set, *k);
      }
  } else {
    size_t pathlen = plen - 1;
    lua_pushcfunction(L, resolve);
    lua_pushlightuserdata(L, (void *)text);
    lua_pushlightuserdata(L, &pathlen);
    if (lua_pcall(L, 2, 1, 0) == LUA_OK && push_member_source(L, -1))
      collect_keys(L, -1, set, prefix, strlen(prefix), 0);
  }
  int n = 0, cap = 16, last_is_fn = 0;
  char **list = malloc((size_t)(cap + 2) * sizeof *list);
  lua_pushnil(L);
  while (list && lua_next(L, set)) {
    int is_fn = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (methods_only && !is_fn) continue;
    if (n == cap) {
      char **bigger = realloc(list, (size_t)((cap *= 2) + 2) * sizeof *list);
      if (!bigger) break;
      list = bigger;
    }
    char *m = dup_match(text, plen, lua_tostring(L, -1));
    if (m) list[++n] = m, last_is_fn = is_fn;
  }
  lua_settop(L, top);
  if (n == 1) {
    if (last_is_fn) rl_completion_append_character = '(';
    else if (!last && is_keyword(list[1])) rl_completion_append_character = ' ';
  }
  shown_prefix = plen;
  return finish_matches(list, n);
}

/* List matches without their common "a.b." part. */
static void display_matches(char **matches, int n, int max_len) {
  (void)max_len;
  char **shown = malloc((size_t)(n + 2) * sizeof *shown);
  if (!shown) return;
  int width = 0;
  for (int i = 0; i <= n; i++) {
    size_t len = strlen(matches[i]);
    shown[i] = matches[i] + (len >= shown_prefix ? shown_prefix : len);
    if (i > 0 && (int)strlen(shown[i]) > width) width = (int)strlen(shown[i]);
  }
  shown[n + 1] = NULL;
  rl_display_match_list(shown, n, width);
  rl_forced_update_display();
  free(shown);
}

void nnsh_completion_open(lua_State *L) {
  LS = L;
  rl_attempted_completion_function = complete;
  rl_completion_display_matches_hook = display_matches;
  /* '.' and ':' are part of the word so the whole path reaches complete(). */
  rl_basic_word_break_characters = " \t\n\"'`@$><=;|&{}()[],+-*/%^#~";
  rl_completer_word_break_characters = rl_basic_word_break_characters;
}
