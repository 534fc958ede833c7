/* The kernel choice at start-up (see src/core/blas_choice.h for the rules).
 *
 * OpenBLAS reads $OPENBLAS_CORETYPE once, when the library loads, which is
 * before main().  So when nnsh's choice differs from the loaded kernel,
 * nnsh sets the variable and executes itself again (/proc/self/exe, same
 * argv): one command for the user, a few milliseconds once, and only on
 * machines where OpenBLAS fell back or an option asked for another kernel.
 *
 * The environment carries what was done to the new process (and to any
 * nnsh it starts, which then need not re-execute):
 *   NNSH_BLAS_AUTO=Core:Detected   nnsh set OPENBLAS_CORETYPE=Core; OpenBLAS
 *                                  had detected Detected by itself
 *   NNSH_BLAS_AUTO=!Core:Detected  Core failed the self-check: do not retry
 *   NNSH_BLAS_USER_CORETYPE=X      the user's own OPENBLAS_CORETYPE, put
 *                                  back when a choice is abandoned
 * The new kernel is checked with nn_blas_selfcheck(); on failure nnsh says
 * so once and executes itself again with the original setting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../core/blas.h"
#include "../core/blas_choice.h"
#include "shell.h"

static void reexec(char **argv) {
  fflush(NULL);
  execv("/proc/self/exe", argv);
  /* Not fatal: run on with the kernel already loaded. */
}

/* "Core:Detected" or "!Core:Detected" into its parts. */
static int parse_marker(const char *m, int *failed, char *core, char *det, size_t cap) {
  if (!m || !*m) return 0;
  *failed = m[0] == '!';
  if (*failed) m++;
  const char *colon = strchr(m, ':');
  if (!colon || (size_t)(colon - m) >= cap || strlen(colon + 1) >= cap) return 0;
  memcpy(core, m, (size_t)(colon - m));
  core[colon - m] = '\0';
  strcpy(det, colon + 1);
  return 1;
}

static void restore_user_coretype(void) {
  const char *u = getenv("NNSH_BLAS_USER_CORETYPE");
  if (u && *u) setenv("OPENBLAS_CORETYPE", u, 1);
  else unsetenv("OPENBLAS_CORETYPE");
  unsetenv("NNSH_BLAS_USER_CORETYPE");
}

void nnsh_blas_start(char **argv, const char *option) {
  nn_blas_report *r = nn_blas_report_get();
  nn_cpu cpu;
  nn_cpu_probe(&cpu);
  nn_cpu_describe(&cpu, r->cpu, sizeof r->cpu);
  const char *current = nn_blas_corename();
  bool dynamic = strstr(nn_blas_config(), "DYNAMIC_ARCH") != NULL;
  const char *user = getenv("OPENBLAS_CORETYPE");
  const char *from = option ? "--blas-core" : "NNSH_BLAS_CORE";
  if (!option) option = getenv("NNSH_BLAS_CORE");
  snprintf(r->detected, sizeof r->detected, "%s", current);

  char mcore[32], mdet[32];
  int failed = 0;
  int ours = parse_marker(getenv("NNSH_BLAS_AUTO"), &failed, mcore, mdet, sizeof mcore);
  if (ours && failed) {
    /* A choice failed its self-check in an earlier process: keep what
     * OpenBLAS (or the user) runs now, and say why. */
    nn_blas_choose(&cpu, current, dynamic, user, NULL, NULL, &r->choice);
    snprintf(r->choice.reason, sizeof r->choice.reason,
             "%s failed nnsh's sgemm self-check; running %s", mcore, current);
    r->selfcheck = -1;
    r->filled = true;
    return;
  }
  if (ours && user && strcasecmp(user, mcore) == 0) {
    /* OPENBLAS_CORETYPE is nnsh's own doing: decide from the original
     * detection and the user's original variable. */
    snprintf(r->detected, sizeof r->detected, "%s", mdet);
    user = getenv("NNSH_BLAS_USER_CORETYPE");
  } else if (ours) {
    ours = 0; /* the user changed OPENBLAS_CORETYPE since: theirs now */
    unsetenv("NNSH_BLAS_AUTO");
    unsetenv("NNSH_BLAS_USER_CORETYPE");
  }
  nn_blas_choose(&cpu, r->detected, dynamic, user, option, from, &r->choice);
  r->filled = true;
  if (ours && !(option && *option) && strcasecmp(r->choice.core, mcore) != 0) {
    /* Started by an nnsh that ran --blas-core: keep its kernel. */
    snprintf(r->choice.core, sizeof r->choice.core, "%s", mcore);
    r->choice.source = NN_CORE_OPTION;
    snprintf(r->choice.reason, sizeof r->choice.reason,
             "chosen by the nnsh that started this one (NNSH_BLAS_AUTO=%s:%s)", mcore, mdet);
  }
  if (r->choice.refused) {
    fprintf(stderr, "nnsh: %s\n", r->choice.reason);
    fflush(stderr);
  }
  nn_core_choice *c = &r->choice;
  bool changes = c->source == NN_CORE_AUTO || c->source == NN_CORE_OPTION;
  if (!changes) return;
  if (strcasecmp(c->core, current) != 0) {
    if (ours && strcasecmp(mcore, c->core) == 0) {
      /* Already re-executed for this kernel and OpenBLAS still runs
       * another one (an older OpenBLAS without it): do not loop. */
      snprintf(c->reason + strlen(c->reason), sizeof c->reason - strlen(c->reason),
               "; OpenBLAS runs %s instead", current);
      return;
    }
    char marker[80];
    snprintf(marker, sizeof marker, "%s:%s", c->core, r->detected);
    if (!ours && user && *user) setenv("NNSH_BLAS_USER_CORETYPE", user, 1);
    setenv("NNSH_BLAS_AUTO", marker, 1);
    setenv("OPENBLAS_CORETYPE", c->core, 1);
    reexec(argv);
    restore_user_coretype();
    unsetenv("NNSH_BLAS_AUTO");
    snprintf(c->reason + strlen(c->reason), sizeof c->reason - strlen(c->reason),
             "; could not re-execute nnsh, so %s runs", current);
    return;
  }
  char msg[160];
  if (nn_blas_selfcheck(nn_sgemm, msg, sizeof msg)) {
    r->selfcheck = 1;
    return;
  }
  fprintf(stderr, "nnsh: OpenBLAS kernel %s failed the sgemm self-check (%s); "
                  "falling back to %s\n", c->core, msg, r->detected);
  fflush(stderr);
  char marker[80];
  snprintf(marker, sizeof marker, "!%s:%s", c->core, r->detected);
  setenv("NNSH_BLAS_AUTO", marker, 1);
  restore_user_coretype();
  reexec(argv);
  r->selfcheck = -1;
}

void nnsh_blas_describe(char *buf, size_t cap) {
  const nn_blas_report *r = nn_blas_report_get();
  snprintf(buf, cap, "OpenBLAS %s: %s", nn_blas_corename(), r->choice.reason);
}
