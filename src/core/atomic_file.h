/* Writing output files safely: parent directories created on demand, and
 * the file replaced atomically (written to a temporary in the same
 * directory, then rename(2)d over the target), so a crash or an error never
 * leaves a half-written picture or checkpoint where a good one was.
 *
 *   nn_atomic_file af;
 *   if (nn_atomic_open(&af, "out/q1/features.png") != NN_OK) return NN_ERR;
 *   ... fwrite(..., af.fp) ...
 *   return nn_atomic_commit(&af);      // or nn_atomic_abort(&af) on failure
 */
#ifndef NN_ATOMIC_FILE_H
#define NN_ATOMIC_FILE_H

#include <stdio.h>

/* mkdir -p of the directory part of `path` (nothing when it has none). */
int nn_mkdir_parents(const char *path);

typedef struct nn_atomic_file {
  FILE *fp;         /* write here */
  char *tmp_path;   /* see nn_atomic_tmpname */
  char *path;       /* final name */
} nn_atomic_file;

/* Temporaries are named after their target and their writer, so a user
 * who finds one knows what it is, and the next save of the same target can
 * tell a leftover (a writer killed with -9, a machine that lost power) from
 * a write in progress:
 *   out/model.h5  ->  out/.model.h5.nnsh-tmp-<host>-<pid>[.<n>]
 * (hidden, in the target's directory so that rename(2) is atomic). */

/* Remove stale temporaries of path and return a fresh
 * temporary name for it (malloc'd; the file does not exist yet). */
int nn_atomic_tmpname(const char *path, char **tmp);
/* Remove temporaries of path whose writer is gone: same host and no such
 * process, or another host and older than a day.  Returns how many. */
int nn_atomic_clean_stale(const char *path);
/* Copy file src to dst (created or truncated), e.g. an existing target
 * into its temporary before the temporary is modified. */
int nn_copy_file(const char *src, const char *dst);
/* rename(tmp, path); on failure removes tmp and sets the error. */
int nn_atomic_rename(const char *tmp, const char *path);

/* Create parent dirs and open a temporary next to path for writing. */
int nn_atomic_open(nn_atomic_file *af, const char *path);
/* Flush, fsync-free close and rename over path; removes the temporary and
 * returns NN_ERR when any write failed. Frees af's strings either way. */
int nn_atomic_commit(nn_atomic_file *af);
/* Close and delete the temporary; path is untouched. */
void nn_atomic_abort(nn_atomic_file *af);

#endif
