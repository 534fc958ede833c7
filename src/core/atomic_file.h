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
  char *tmp_path;   /* "<path>.tmp.XXXXXX" */
  char *path;       /* final name */
} nn_atomic_file;

/* Create parent dirs and open a temporary next to path for writing. */
int nn_atomic_open(nn_atomic_file *af, const char *path);
/* Flush, fsync-free close and rename over path; removes the temporary and
 * returns NN_ERR when any write failed. Frees af's strings either way. */
int nn_atomic_commit(nn_atomic_file *af);
/* Close and delete the temporary; path is untouched. */
void nn_atomic_abort(nn_atomic_file *af);

#endif
