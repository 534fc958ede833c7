#include "atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
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

/* "<dir>/" and "<base>" of path (dir is "" when path has no '/'). */
static void split_path(const char *path, char *dir, size_t nd, const char **base) {
  const char *slash = strrchr(path, '/');
  *base = slash ? slash + 1 : path;
  size_t n = slash ? (size_t)(slash - path) + 1 : 0;
  if (n >= nd) n = nd - 1;
  memcpy(dir, path, n);
  dir[n] = '\0';
}

static void host_name(char *buf, size_t n) {
  if (gethostname(buf, n) != 0) snprintf(buf, n, "host");
  buf[n - 1] = '\0';
  for (char *p = buf; *p; p++)
    if (*p == '/' || *p == '.') *p = '_'; /* one file-name component */
}

#define TMP_TAG ".nnsh-tmp-"

int nn_atomic_clean_stale(const char *path) {
  char dir[4096], host[256], prefix[4096];
  const char *base;
  split_path(path, dir, sizeof dir, &base);
  host_name(host, sizeof host);
  int np = snprintf(prefix, sizeof prefix, ".%s" TMP_TAG, base);
  if (np <= 0 || np >= (int)sizeof prefix) return 0;
  DIR *d = opendir(*dir ? dir : ".");
  if (!d) return 0;
  int removed = 0;
  time_t now = time(NULL);
  for (struct dirent *e; (e = readdir(d));) {
    if (strncmp(e->d_name, prefix, (size_t)np) != 0) continue;
    /* <host>-<pid>[.<n>]: the pid follows the last '-'. */
    const char *who = e->d_name + np, *dash = strrchr(who, '-');
    if (!dash) continue;
    long pid = strtol(dash + 1, NULL, 10);
    size_t hl = (size_t)(dash - who);
    int local = hl == strlen(host) && strncmp(who, host, hl) == 0;
    char full[8192];
    snprintf(full, sizeof full, "%s%s", dir, e->d_name);
    struct stat st;
    if (lstat(full, &st) != 0 || !S_ISREG(st.st_mode)) continue;
    int gone = local ? pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) != 0 &&
                           errno == ESRCH
                     : now - st.st_mtime > 24 * 3600;
    if (gone && unlink(full) == 0) removed++;
  }
  closedir(d);
  return removed;
}

int nn_atomic_tmpname(const char *path, char **tmp) {
  static unsigned serial; /* nested writes of one target in one process */
  *tmp = NULL;
  nn_atomic_clean_stale(path);
  char dir[4096], host[256];
  const char *base;
  split_path(path, dir, sizeof dir, &base);
  host_name(host, sizeof host);
  size_t n = strlen(path) + strlen(host) + 64;
  char *name = malloc(n);
  NN_REQUIRE(name, "out of memory");
  for (;;) {
    unsigned k = serial++;
    if (k == 0)
      snprintf(name, n, "%s.%s" TMP_TAG "%s-%ld", dir, base, host, (long)getpid());
    else
      snprintf(name, n, "%s.%s" TMP_TAG "%s-%ld.%u", dir, base, host, (long)getpid(), k);
    struct stat st;
    if (lstat(name, &st) != 0) break;
  }
  *tmp = name;
  return NN_OK;
}

int nn_copy_file(const char *src, const char *dst) {
  int in = open(src, O_RDONLY), out = -1, rc = NN_OK;
  if (in < 0) return nn_seterror("cannot read %s: %s", src, strerror(errno));
  struct stat st;
  if (fstat(in, &st) != 0 || (out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, st.st_mode & 0777)) < 0) {
    rc = nn_seterror("cannot write %s: %s", dst, strerror(errno));
    close(in);
    return rc;
  }
  static char buf[1 << 16];
  for (;;) {
    ssize_t got = read(in, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      rc = nn_seterror("cannot read %s: %s", src, strerror(errno));
      break;
    }
    if (got == 0) break;
    for (ssize_t off = 0; off < got;) {
      ssize_t w = write(out, buf + off, (size_t)(got - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        rc = nn_seterror("cannot write %s: %s", dst, strerror(errno));
        break;
      }
      off += w;
    }
    if (rc != NN_OK) break;
  }
  if (close(out) != 0 && rc == NN_OK) rc = nn_seterror("cannot write %s: %s", dst, strerror(errno));
  close(in);
  return rc;
}

int nn_atomic_rename(const char *tmp, const char *path) {
  if (rename(tmp, path) != 0) {
    int e = errno;
    remove(tmp);
    return nn_seterror("cannot write %s: %s", path, strerror(e));
  }
  return NN_OK;
}

int nn_atomic_open(nn_atomic_file *af, const char *path) {
  af->fp = NULL;
  af->tmp_path = af->path = NULL;
  NN_TRY(nn_mkdir_parents(path));
  NN_TRY(nn_atomic_tmpname(path, &af->tmp_path));
  size_t n = strlen(path);
  af->path = malloc(n + 1);
  if (!af->path) {
    free(af->tmp_path);
    af->tmp_path = NULL;
    return nn_seterror("out of memory");
  }
  memcpy(af->path, path, n + 1);
  int fd = open(af->tmp_path, O_WRONLY | O_CREAT | O_EXCL, 0666);
  if (fd < 0) {
    int e = errno;
    nn_seterror("cannot write %s: %s", path, strerror(e));
    free(af->path);
    free(af->tmp_path);
    af->path = af->tmp_path = NULL;
    return NN_ERR;
  }
  af->fp = fdopen(fd, "wb");
  if (!af->fp) {
    close(fd);
    nn_atomic_abort(af);
    return nn_seterror("cannot write %s", path);
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
    nn_seterror("error while writing %s: %s", af->path, strerror(errno ? errno : EIO));
    remove(af->tmp_path);
    release(af);
    return NN_ERR;
  }
  int rc = nn_atomic_rename(af->tmp_path, af->path);
  release(af);
  return rc;
}

void nn_atomic_abort(nn_atomic_file *af) {
  if (af->fp) fclose(af->fp);
  if (af->tmp_path) remove(af->tmp_path);
  release(af);
}
