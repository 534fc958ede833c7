/* Error reporting for the core.
 *
 * The core never longjmps and never prints: a fallible function returns
 * NN_ERR (-1) after storing a message with nn_seterror(); the caller (the Lua
 * bindings) reads it with nn_lasterror() and raises it as a Lua error.  This
 * keeps src/core free of Lua, as TH was, without TH's longjmp-through-C leaks.
 */
#ifndef NN_ERROR_H
#define NN_ERROR_H

#define NN_OK 0
#define NN_ERR (-1)

int nn_seterror(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *nn_lasterror(void);

/* Return NN_ERR with a message when cond is false. */
#define NN_REQUIRE(cond, ...)                                                  \
  do {                                                                         \
    if (!(cond)) return nn_seterror(__VA_ARGS__);                              \
  } while (0)

/* Propagate a failure from a callee. */
#define NN_TRY(expr)                                                           \
  do {                                                                         \
    if ((expr) != NN_OK) return NN_ERR;                                        \
  } while (0)

#endif
