/* The guard: a file nnsh did not write is first read in a short-lived
 * child process, so that a crash or a hang of libhdf5 on a malformed file
 * (issue 14: SIGSEGV in H5HG_read, H5O_msg_reset, ...; endless loops in
 * H5C_protect) costs the session an error message instead of its life.
 *
 * Design: validate in a child, then read in-process.  The child (fork, no
 * exec) does everything the h5 functions of nnsh can do to the file:
 * lists it, describes and reads every dataset (numbers and strings), reads
 * the attributes of the root, of every group and of every dataset.  It
 * reports each step through a pipe, so a crash can be named ("reading
 * dataset 'x'"), and exits.  When it exits normally the same library
 * doing the same reads in the parent will not crash either, and the file's
 * identity (device, inode, size, modification time) is remembered: later
 * calls on the unchanged file run in-process at full speed.  Files nnsh
 * wrote itself, and sealed checkpoints whose checksum matched (seal.h),
 * are trusted without a child.
 *
 * Files that passed are also remembered across sessions, in
 * $XDG_CACHE_HOME/nnsh/h5-trusted (else ~/.cache/nnsh/h5-trusted), one
 * line "dev inode size mtime_s mtime_ns" each, so a script that reads the
 * course data every run pays for the check once, not every run
 * (NNSH_H5_TRUST_CACHE=0: session only).
 *
 * The child gets a time limit that grows with the file: 3 s plus 1 s per
 * 10 MB (NNSH_H5_TIMEOUT=<seconds> replaces the 3 s base); reading all of
 * the largest course file (data1.h5, 7.7 MB) takes 0.15-0.6 s.  NNSH_H5_GUARD=0
 * turns the guard off.  NNSH_H5_GUARD_TEST=crash|hang makes the child crash
 * or hang on purpose, for the tests of this machinery.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "error.h"
#include "h5io_internal.h"
#include "h5io_trust.h"

static int in_child; /* the validating child itself runs unguarded */

/* --- the child ---------------------------------------------------------------- */

static int progress_fd = -1;

static void step(const char *fmt, const char *arg) {
  char line[600];
  int n = snprintf(line, sizeof line, fmt, arg);
  if (n < 0) return;
  if (n >= (int)sizeof line) n = (int)sizeof line - 1;
  line[n++] = '\n';
  ssize_t w = write(progress_fd, line, (size_t)n);
  (void)w;
}

/* Attributes of obj and of each group on the way to it (visited once each
 * by remembering the last parent seen: names arrive sorted). */
static void visit_attrs(const char *path, const char *obj) {
  nn_h5_attrs a = {0, NULL};
  step("reading the attributes of '%s'", obj);
  nn_h5_attrs_read(&a, path, obj);
  nn_h5_attrs_free(&a);
}

/* Exit status of a child that could not list the file: libhdf5 reported
 * a damaged structure without crashing; the message follows "error: " on
 * the pipe.  The parent then refuses the file as a whole (its other
 * functions were not tried on it). */
#define CHILD_UNLISTABLE 3

/* A write like h5.write's, on a copy of the file (never the file itself). */
static void probe_write(const char *path) {
  char *tmp = NULL;
  step("writing to a copy of %s", path);
  if (nn_atomic_tmpname(path, &tmp) != NN_OK) return;
  if (nn_copy_file(path, tmp) == NN_OK) {
    nn_tensor t;
    nn_tensor_init(&t, NN_F32);
    int64_t two = 2;
    nn_tensor_resize(&t, 1, &two);
    nn_h5_write(tmp, "nnsh_guard_probe/x", &t, 0);
    nn_h5_attr v = {.kind = NN_H5_ATTR_INT, .scalar = 1, .n = 1, .i = &two};
    nn_h5_setattr(tmp, "/", "nnsh_guard_probe", &v);
    nn_tensor_free(&t);
  }
  remove(tmp);
  free(tmp);
}

static void validate(const char *path, int write) {
  const char *test = getenv("NNSH_H5_GUARD_TEST");
  if (test && !strcmp(test, "crash")) raise(SIGSEGV);
  if (test && !strcmp(test, "hang")) for (;;) pause();
  nn_h5_dslist l = {0, NULL};
  step("opening %s", path);
  if (nn_h5_list(&l, path) != NN_OK) {
    nn_h5_list_free(&l);
    step("error: %s", nn_lasterror());
    _exit(CHILD_UNLISTABLE);
  }
  visit_attrs(path, "/");
  char parent[1024] = "";
  for (int i = 0; i < l.n; i++) {
    const char *name = l.items[i].name;
    const char *slash = strrchr(name, '/');
    if (slash && (size_t)(slash - name) < sizeof parent) {
      char dir[1024];
      memcpy(dir, name, (size_t)(slash - name));
      dir[slash - name] = '\0';
      if (strcmp(dir, parent) != 0) {
        snprintf(parent, sizeof parent, "%s", dir);
        visit_attrs(path, dir);
      }
    }
    visit_attrs(path, name);
    step("reading dataset '%s'", name);
    if (l.items[i].cls == NN_H5_STRING) {
      nn_h5_strings s;
      nn_h5_read_strings(&s, path, name);
      nn_h5_strings_free(&s);
    } else {
      /* Into float32 and, for integers, into int32 too: two conversion
       * paths of libhdf5, as h5.read with as="float" and as="index". */
      nn_tensor t;
      nn_tensor_init(&t, NN_F32);
      nn_h5_read(&t, path, name, NN_H5_AS_FLOAT);
      if (l.items[i].cls == NN_H5_INT || l.items[i].cls == NN_H5_UINT)
        nn_h5_read(&t, path, name, NN_H5_AS_INDEX);
      nn_tensor_free(&t);
    }
  }
  nn_h5_list_free(&l);
  if (write) probe_write(path);
}

static void run_child(const char *path, int fd, int write) {
  in_child = 1;
  progress_fd = fd;
  signal(SIGINT, SIG_DFL); /* Ctrl-C ends the check, not a Lua hook */
  signal(SIGPIPE, SIG_DFL);
  /* A crash must end the child by its signal (the parent names it), also
   * under AddressSanitizer, whose handlers would report and exit(1). */
  int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
  for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++) signal(fatal[i], SIG_DFL);
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core); /* a crash here is expected: no core file */
  validate(path, write);
  _exit(0); /* no atexit handlers, no stdio flush of the parent's buffers */
}

/* --- the parent ---------------------------------------------------------------- */

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double time_limit(off_t size) {
  const char *e = getenv("NNSH_H5_TIMEOUT");
  double base = e && atof(e) > 0 ? atof(e) : 3.0;
  return base + (double)size / (10.0 * 1024 * 1024);
}

/* Keep the last complete line of the child's progress in `last`. */
static void drain(int fd, char *last, size_t n, char *partial, size_t *np) {
  char buf[4096];
  ssize_t got;
  while ((got = read(fd, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < got; i++) {
      if (buf[i] == '\n') {
        partial[*np] = '\0';
        snprintf(last, n, "%s", partial);
        *np = 0;
      } else if (*np + 1 < 600) {
        partial[(*np)++] = buf[i];
      }
    }
  }
}

int nn_h5_guard(const char *path) { return nn_h5_guard_mode(path, 0); }

int nn_h5_guard_mode(const char *path, int write) {
  if (in_child) return NN_OK;
  const char *off = getenv("NNSH_H5_GUARD");
  if (off && !strcmp(off, "0")) return NN_OK;
  nn_h5_file_id id;
  if (!nn_h5_identify(path, &id)) return NN_OK; /* the opener reports the missing file */
  id.writable = write;
  if (nn_h5_trust_level(&id) > write) return NN_OK;
  if (!write && nn_h5_cache_has(&id)) {
    nn_h5_remember(&id);
    return NN_OK;
  }
  const char *known = nn_h5_condemned_msg(&id);
  if (known) return nn_seterror("%s", known);
  int fds[2];
  if (pipe(fds) != 0) return nn_seterror("cannot check %s: pipe: %s", path, strerror(errno));
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return nn_seterror("cannot check %s: fork: %s", path, strerror(errno));
  }
  if (pid == 0) {
    close(fds[0]);
    run_child(path, fds[1], write);
  }
  close(fds[1]);
  fcntl(fds[0], F_SETFL, O_NONBLOCK); /* drain() reads until the pipe is empty */
  double limit = time_limit(id.size), start = now();
  char last[600] = "opening the file", partial[600];
  size_t np = 0;
  int status = 0, done = 0, interrupted = 0, timed_out = 0;
  while (!done) {
    struct pollfd p = {fds[0], POLLIN, 0};
    double left = limit - (now() - start);
    if (left <= 0) {
      timed_out = 1;
      break;
    }
    int r = poll(&p, 1, (int)(left * 1000) + 1);
    if (r < 0 && errno == EINTR) {
      interrupted = 1; /* Ctrl-C: stop checking; the Lua hook follows */
      break;
    }
    if (r > 0) {
      if (p.revents & POLLIN) drain(fds[0], last, sizeof last, partial, &np);
      if (p.revents & (POLLHUP | POLLERR) && !(p.revents & POLLIN)) done = 1;
    }
  }
  if (!done) kill(pid, SIGKILL);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  close(fds[0]);
  if (interrupted || (WIFSIGNALED(status) && WTERMSIG(status) == SIGINT))
    return nn_seterror("interrupted while checking %s", path);
  if (timed_out) {
    nn_seterror("libhdf5 did not finish reading %s within %.1f s (%s): the file "
                "is malformed", path, limit, last);
    return nn_h5_condemn(&id);
  }
  if (WIFSIGNALED(status)) {
    nn_seterror("libhdf5 crashed (%s) reading %s, %s: the file is malformed",
                strsignal(WTERMSIG(status)), path, last);
    return nn_h5_condemn(&id);
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_UNLISTABLE &&
      !strncmp(last, "error: ", 7)) {
    nn_seterror("%s", last + 7); /* libhdf5's own clean error, as in-process */
    return nn_h5_condemn(&id);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    nn_seterror("libhdf5 failed reading %s (%s): the file is malformed", path, last);
    return nn_h5_condemn(&id);
  }
  nn_h5_remember(&id);
  if (!write) nn_h5_cache_add(&id);
  return NN_OK;
}

int nn_h5_copy(const char *src, const char *dst) {
  struct stat st;
  if (stat(src, &st) != 0) return NN_OK; /* nothing to copy: dst will be created */
  NN_TRY(nn_h5_guard(src));
  nn_h5_file_id sid, did;
  int level = nn_h5_identify(src, &sid) ? nn_h5_trust_level(&sid) : 0;
  NN_TRY(nn_copy_file(src, dst));
  if (nn_h5_identify(dst, &did)) { /* a byte copy of a trusted file, trusted as much */
    did.writable = level == 2;
    nn_h5_remember(&did);
  }
  return NN_OK;
}
