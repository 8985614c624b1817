/*
 * userns.c — "rrun userns": start a program as root of a new user namespace (rootless jbuild).
 *
 * A non-root user with /etc/subuid and /etc/subgid ranges runs the whole jbuild JVM inside a user
 * namespace where it is uid 0 (mapped to the user's own uid) and uids 1..N are the subordinate
 * range, as buildah and podman re-exec themselves (containers/storage pkg/unshare). The JVM cannot
 * unshare a user namespace itself: it is multithreaded (docs/runner.md §1), so this small
 * single-threaded helper does it and then execs java.
 *
 * Flow (runc's nsexec SYNC_USERMAP_PLS and containers/storage's unshare.c, written anew here):
 *   1. fork a map writer W that stays in the host user namespace;
 *   2. this process P unshares CLONE_NEWUSER|CLONE_NEWNS and tells W over a pipe;
 *   3. W runs the setuid helpers "newuidmap P ..." and "newgidmap P ..." (Debian's uidmap
 *      package; they check the ranges against /etc/subuid and /etc/subgid) and exits 0 or 1;
 *   4. P becomes uid/gid 0, makes its mounts private and execs the command, which so stays the
 *      direct child of whoever started rrun (its exit status and signals need no forwarding).
 */
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define USERNS_SETUP_FAILED 125
#define MAX_MAP_WORDS 30 /* newuidmap takes at most 340 ranges; jbuild passes two or three */

static int userns_status_fd = -1;

/* One {"error":"userns","errno":N,"message":"..."} line in the status file; the caller prints it
 * (nothing goes to stderr, which belongs to the command). */
static void userns_report(int err, const char *fmt, ...) {
  char msg[1536];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (err && n >= 0 && (size_t)n < sizeof msg)
    snprintf(msg + n, sizeof msg - (size_t)n, ": %s", strerror(err));
  char line[4096];
  size_t len = (size_t)snprintf(line, sizeof line, "{\"error\":\"userns\",\"errno\":%d,\"message\":\"", err);
  for (const char *p = msg; *p && len + 8 < sizeof line; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == '"' || c == '\\') {
      line[len++] = '\\';
      line[len++] = (char)c;
    } else if (c < 0x20) {
      len += (size_t)snprintf(line + len, sizeof line - len, "\\u%04x", c);
    } else {
      line[len++] = (char)c;
    }
  }
  snprintf(line + len, sizeof line - len, "\"}\n");
  if (userns_status_fd >= 0 && write(userns_status_fd, line, strlen(line)) < 0) {
    /* Nothing better to do: without the status line the caller reports a bare exit code. */
  }
}

/* Splits a map ("0 1000 1 1 100000 65536") into words; false unless it is whole triples. */
static bool split_map(char *map, char **words, int *count) {
  *count = 0;
  for (char *w = strtok(map, " "); w; w = strtok(NULL, " ")) {
    if (*count == MAX_MAP_WORDS) return false;
    for (const char *c = w; *c; c++)
      if (*c < '0' || *c > '9') return false;
    words[(*count)++] = w;
  }
  return *count > 0 && *count % 3 == 0;
}

/*
 * Runs "tool PID words..." and waits; on failure reports the tool's own first line of stderr,
 * which says why (e.g. "newuidmap: uid range [1-65537) -> [100000-165537) not allowed").
 */
static bool run_map_tool(const char *tool, pid_t target, char **words, int count) {
  int err_pipe[2];
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    userns_report(errno, "create a pipe for %s", tool);
    return false;
  }
  char pid[32];
  snprintf(pid, sizeof pid, "%d", (int)target);
  char *argv[MAX_MAP_WORDS + 3];
  argv[0] = (char *)tool;
  argv[1] = pid;
  for (int i = 0; i < count; i++) argv[2 + i] = words[i];
  argv[2 + count] = NULL;
  pid_t child = fork();
  if (child < 0) {
    userns_report(errno, "fork to run %s", tool);
    return false;
  }
  if (child == 0) {
    dup2(err_pipe[1], STDERR_FILENO);
    execvp(tool, argv);
    int e = errno;
    dprintf(STDERR_FILENO, "%s not found or not executable (%s); it comes with the package uidmap "
            "(apt-get install uidmap)", tool, strerror(e));
    _exit(127);
  }
  close(err_pipe[1]);
  char out[1024];
  size_t len = 0;
  ssize_t r;
  while ((r = read(err_pipe[0], out + len, sizeof out - 1 - len)) != 0) {
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    len += (size_t)r;
    if (len == sizeof out - 1) break;
  }
  out[len] = '\0';
  close(err_pipe[0]);
  char *nl = strchr(out, '\n');
  if (nl) *nl = '\0';
  int status;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) {
      userns_report(errno, "wait for %s", tool);
      return false;
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  char cmd[512];
  size_t c = (size_t)snprintf(cmd, sizeof cmd, "%s %s", tool, pid);
  for (int i = 0; i < count && c < sizeof cmd; i++)
    c += (size_t)snprintf(cmd + c, sizeof cmd - c, " %s", words[i]);
  userns_report(0, "%s failed: %s", cmd, out[0] ? out : "no message (exit status)");
  return false;
}

int userns_main(int argc, char **argv) {
  if (argc < 7 || strcmp(argv[5], "--") != 0) {
    fprintf(stderr, "usage: rrun userns STATUS_PATH UID_MAP GID_MAP -- COMMAND [ARG...]\n");
    return 2;
  }
  pid_t starter = getppid();
  /* If whoever started us dies, so does the command (it keeps this across execve). */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return USERNS_SETUP_FAILED;
  if (getppid() != starter) return USERNS_SETUP_FAILED;
  userns_status_fd = open(argv[2], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (userns_status_fd < 0) {
    fprintf(stderr, "rrun userns: open the status file %s: %s\n", argv[2], strerror(errno));
    return USERNS_SETUP_FAILED;
  }
  char *uid_words[MAX_MAP_WORDS], *gid_words[MAX_MAP_WORDS];
  int uid_count, gid_count;
  if (!split_map(argv[3], uid_words, &uid_count) || !split_map(argv[4], gid_words, &gid_count)) {
    userns_report(0, "malformed id map: expected \"inner outer count ...\" triples of numbers");
    return 2;
  }

  int go[2];
  if (pipe2(go, O_CLOEXEC) != 0) {
    userns_report(errno, "create a pipe");
    return USERNS_SETUP_FAILED;
  }
  pid_t self = getpid();
  pid_t writer = fork();
  if (writer < 0) {
    userns_report(errno, "fork the id map writer");
    return USERNS_SETUP_FAILED;
  }
  if (writer == 0) {
    /* W: wait until P has its user namespace (or gave up: EOF), then map it. */
    close(go[1]);
    char c;
    ssize_t r;
    while ((r = read(go[0], &c, 1)) < 0 && errno == EINTR) {
    }
    if (r != 1) _exit(1);
    if (!run_map_tool("newuidmap", self, uid_words, uid_count)) _exit(1);
    if (!run_map_tool("newgidmap", self, gid_words, gid_count)) _exit(1);
    _exit(0);
  }
  close(go[0]);
  int unshare_errno = unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0 ? errno : 0;
  if (!unshare_errno && write(go[1], "1", 1) != 1) unshare_errno = errno;
  close(go[1]);
  int status;
  while (waitpid(writer, &status, 0) < 0 && errno == EINTR) {
  }
  if (unshare_errno) {
    userns_report(unshare_errno, "the kernel refused to create a user namespace (unshare "
                  "CLONE_NEWUSER|CLONE_NEWNS; check sysctl user.max_user_namespaces and "
                  "kernel.unprivileged_userns_clone, or a seccomp profile forbidding it)");
    return USERNS_SETUP_FAILED;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return USERNS_SETUP_FAILED; /* W reported */

  if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) {
    userns_report(errno, "become root in the new user namespace (is 0 mapped?)");
    return USERNS_SETUP_FAILED;
  }
  /* The credential change may clear the parent-death signal; set it again. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != starter)
    return USERNS_SETUP_FAILED;
  /* Mounts made below (rrun's containers) must never propagate back to the host's namespace. */
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
    userns_report(errno, "make the mounts of the new mount namespace private");
    return USERNS_SETUP_FAILED;
  }
  execvp(argv[6], argv + 6);
  userns_report(errno, "execute %s", argv[6]);
  return errno == ENOENT ? 127 : 126;
}
