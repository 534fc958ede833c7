/* Trusted HDF5 file identities: see h5io_trust.h and h5io_guard.c. */
#include "h5io_trust.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "error.h"

/* --- trusted file identities ----------------------------------------------- */

#define NTRUSTED 256
static nn_h5_file_id trusted[NTRUSTED];
static int ntrusted, next_slot;

int nn_h5_identify(const char *path, nn_h5_file_id *id) {
  struct stat st;
  if (stat(path, &st) != 0) return 0;
  id->dev = st.st_dev;
  id->ino = st.st_ino;
  id->size = st.st_size;
  id->mtime = st.st_mtim;
  id->writable = 0;
  return 1;
}

static int same(const nn_h5_file_id *a, const nn_h5_file_id *b) {
  return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
         a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* 0: not trusted; 1: for reading; 2: for reading and writing. */
int nn_h5_trust_level(const nn_h5_file_id *id) {
  for (int i = 0; i < ntrusted; i++)
    if (same(&trusted[i], id)) return trusted[i].writable ? 2 : 1;
  return 0;
}

void nn_h5_remember(const nn_h5_file_id *id) {
  for (int i = 0; i < ntrusted; i++)
    if (trusted[i].dev == id->dev && trusted[i].ino == id->ino) {
      trusted[i] = *id; /* the same file, changed by us */
      return;
    }
  trusted[next_slot] = *id;
  next_slot = (next_slot + 1) % NTRUSTED;
  if (ntrusted < NTRUSTED) ntrusted++;
}

/* Files the child failed on, with the message: asking again (h5.load after
 * h5.list) fails at once instead of waiting out another time limit. */
#define NCONDEMNED 32
static struct {
  nn_h5_file_id id;
  char msg[700];
} condemned[NCONDEMNED];
static int ncondemned, next_condemned;

const char *nn_h5_condemned_msg(const nn_h5_file_id *id) {
  for (int i = 0; i < ncondemned; i++)
    if (same(&condemned[i].id, id)) return condemned[i].msg;
  return NULL;
}

int nn_h5_condemn(const nn_h5_file_id *id) {
  condemned[next_condemned].id = *id;
  snprintf(condemned[next_condemned].msg, sizeof condemned[0].msg, "%s", nn_lasterror());
  next_condemned = (next_condemned + 1) % NCONDEMNED;
  if (ncondemned < NCONDEMNED) ncondemned++;
  return NN_ERR;
}

/* --- trusted identities across sessions ------------------------------------ */

#define CACHE_KEEP 512 /* lines kept when the file is compacted */

static int cache_enabled(void) {
  const char *e = getenv("NNSH_H5_TRUST_CACHE");
  return !(e && !strcmp(e, "0")) && !getenv("NNSH_H5_GUARD_TEST");
}

static const char *cache_path(void) {
  static char path[4096];
  if (!path[0]) {
    const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (x && *x) snprintf(path, sizeof path, "%s/nnsh/h5-trusted", x);
    else if (home && *home) snprintf(path, sizeof path, "%s/.cache/nnsh/h5-trusted", home);
    else return NULL;
  }
  return path;
}

static int cache_line(char *buf, size_t n, const nn_h5_file_id *id) {
  return snprintf(buf, n, "%llu %llu %lld %lld %ld\n", (unsigned long long)id->dev,
                  (unsigned long long)id->ino, (long long)id->size,
                  (long long)id->mtime.tv_sec, (long)id->mtime.tv_nsec);
}

/* Is id listed in the cache file?  Reads it each time: it is small, and
 * another nnsh may have added to it. */
int nn_h5_cache_has(const nn_h5_file_id *id) {
  const char *p = cache_path();
  FILE *f = p && cache_enabled() ? fopen(p, "r") : NULL;
  if (!f) return 0;
  char want[128], line[128];
  cache_line(want, sizeof want, id);
  int found = 0, lines = 0;
  while (!found && fgets(line, sizeof line, f)) {
    found = !strcmp(line, want);
    lines++;
  }
  fclose(f);
  return found;
}

void nn_h5_cache_add(const nn_h5_file_id *id) {
  const char *p = cache_path();
  if (!p || !cache_enabled() || nn_mkdir_parents(p) != NN_OK) return;
  char line[128];
  int n = cache_line(line, sizeof line, id);
  int fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return;
  ssize_t w = write(fd, line, (size_t)n); /* one small O_APPEND write: no interleaving */
  (void)w;
  off_t size = lseek(fd, 0, SEEK_END);
  close(fd);
  if (size < 2 * CACHE_KEEP * 48) return;
  /* Compact: keep the newest lines, through a renamed temporary. */
  FILE *f = fopen(p, "r");
  if (!f) return;
  static char lines[2 * CACHE_KEEP * 2][128];
  int count = 0;
  while (count < 2 * CACHE_KEEP * 2 && fgets(lines[count], sizeof lines[0], f)) count++;
  fclose(f);
  nn_atomic_file af;
  if (nn_atomic_open(&af, p) != NN_OK) return;
  for (int i = count > CACHE_KEEP ? count - CACHE_KEEP : 0; i < count; i++) fputs(lines[i], af.fp);
  nn_atomic_commit(&af);
}

void nn_h5_trust(const char *path) {
  nn_h5_file_id id;
  if (nn_h5_identify(path, &id)) {
    id.writable = 1;
    nn_h5_remember(&id);
  }
}

