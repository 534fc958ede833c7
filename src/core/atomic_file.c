#include "atomic_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

int nn_mkdir_parents(const char *path) {
  NN_REQUIRE(path && *path, "empty file name");
  size_t n = strlen(path);
  char *dir = malloc(n + 1);
  NN_REQUIRE(dir, "out of memory");
  memcpy(dir, path, n + 1);
  char *slash = strrchr(dir, '/');
  if (!slash || slash == dir) { /* no directory part, or the root */
    free(dir);
    return NN_OK;
  }
  *slash = '\0';
  /* Walk the components left to right, creating what is missing. */
  for (char *p = dir + 1;; p++) {
    if (*p == '/' || *p == '\0') {
      char saved = *p;
      *p = '\0';
      if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        int e = errno;
        nn_seterror("cannot create directory '%s': %s", dir, strerror(e));
        free(dir);
        return NN_ERR;
      }
      struct stat st;
      if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        nn_seterror("cannot create directory '%s': a file of that name exists",
                    dir);
        free(dir);
        return NN_ERR;
      }
      *p = saved;
      if (saved == '\0') break;
    }
  }
  free(dir);
  return NN_OK;
}

int nn_atomic_open(nn_atomic_file *af, const char *path) {
  af->fp = NULL;
  af->tmp_path = af->path = NULL;
  NN_TRY(nn_mkdir_parents(path));
  size_t n = strlen(path);
  af->path = malloc(n + 1);
  af->tmp_path = malloc(n + 12);
  if (!af->path || !af->tmp_path) {
    free(af->path);
    free(af->tmp_path);
    return nn_seterror("out of memory");
  }
  memcpy(af->path, path, n + 1);
  snprintf(af->tmp_path, n + 12, "%s.tmpXXXXXX", path);
  int fd = mkstemp(af->tmp_path);
  if (fd < 0) {
    int e = errno;
    nn_seterror("cannot write '%s': %s", path, strerror(e));
    free(af->path);
    free(af->tmp_path);
    return NN_ERR;
  }
  /* mkstemp makes 0600 files; pictures should be readable like any other. */
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  af->fp = fdopen(fd, "wb");
  if (!af->fp) {
    close(fd);
    nn_atomic_abort(af);
    return nn_seterror("cannot write '%s'", path);
  }
  return NN_OK;
}

static void release(nn_atomic_file *af) {
  free(af->path);
  free(af->tmp_path);
  af->path = af->tmp_path = NULL;
  af->fp = NULL;
}

int nn_atomic_commit(nn_atomic_file *af) {
  int bad = ferror(af->fp);
  if (fclose(af->fp) != 0) bad = 1;
  af->fp = NULL;
  if (bad) {
    nn_seterror("error while writing '%s'", af->path);
    remove(af->tmp_path);
    release(af);
    return NN_ERR;
  }
  if (rename(af->tmp_path, af->path) != 0) {
    int e = errno;
    nn_seterror("cannot rename to '%s': %s", af->path, strerror(e));
    remove(af->tmp_path);
    release(af);
    return NN_ERR;
  }
  release(af);
  return NN_OK;
}

void nn_atomic_abort(nn_atomic_file *af) {
  if (af->fp) fclose(af->fp);
  if (af->tmp_path) remove(af->tmp_path);
  release(af);
}
