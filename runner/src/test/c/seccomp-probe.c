/*
 * seccomp-probe — test program for rrun's seccomp filter (built static by the tests with gcc).
 *
 * Usage: seccomp-probe [CHECK...]
 * Runs every check (or the named ones) and prints one line per check:
 *   "seccomp-probe: NAME RESULT" where RESULT is "ok" or the errno name of the failure.
 * Without arguments it always exits 0 (the tests compare the lines with
 * seccomp-probe.expected); with named checks it exits 1 if any of them failed, so a RUN step
 * that needs a denied syscall fails the build.
 * Each check calls the syscall with arguments whose outcome without a filter is a known kernel
 * result (success or EINVAL/EBADF/...), so EPERM/ENOSYS under the filter can only come from it.
 * Calls that change the process (namespaces, chroot) run in a child, and none changes the
 * system even when run as root on a host (mount targets a path that does not exist).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Numbers newer than the build machine's headers: the same on every architecture since 5.1. */
#define NR_SET_MEMPOLICY_HOME_NODE 450
#define NR_LISTMOUNT 458
#define NR_LSM_LIST_MODULES 461
#define NR_MSEAL 462
#define NR_OPEN_TREE_ATTR 467 /* Linux 6.15, not in the profile */
#define NR_FILE_GETATTR 468   /* Linux 6.17, not in the profile */

static const char *errname(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ENOSYS: return "ENOSYS";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case EFAULT: return "EFAULT";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case E2BIG: return "E2BIG";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ENOMEM: return "ENOMEM";
    case ENODEV: return "ENODEV";
    default: {
      static char buf[32];
      snprintf(buf, sizeof buf, "errno%d", e);
      return buf;
    }
  }
}

/* Result of a call: -1 with errno set for failure; anything else is success. */
#define CHECK_RESULT(r) ((r) == -1 ? errno : 0)

static int in_child(int (*fn)(void)) {
  pid_t pid = fork();
  if (pid < 0) return errno;
  if (pid == 0) _exit(fn());
  int status;
  if (waitpid(pid, &status, 0) < 0) return errno;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

static void *thread_main(void *arg) { return arg; }
static int c_thread(void) {
  /* glibc tries clone3 first and falls back to clone on ENOSYS, as Docker's profile intends. */
  pthread_t t;
  int e = pthread_create(&t, NULL, thread_main, NULL);
  if (e) return e;
  return pthread_join(t, NULL);
}
static int c_clone3(void) { return CHECK_RESULT(syscall(SYS_clone3, NULL, 0)); }
static int c_personality_linux(void) { return CHECK_RESULT(syscall(SYS_personality, PER_LINUX)); }
static int c_personality_query(void) { return CHECK_RESULT(syscall(SYS_personality, 0xffffffffUL)); }
static int c_personality_no_aslr(void) {
  int e = CHECK_RESULT(syscall(SYS_personality, ADDR_NO_RANDOMIZE));
  syscall(SYS_personality, PER_LINUX);
  return e;
}
static int sock(int domain, int type) {
  int fd = socket(domain, type, 0);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}
static int c_socket_unix(void) { return sock(AF_UNIX, SOCK_STREAM); }
static int c_socket_inet(void) { return sock(AF_INET, SOCK_DGRAM); }
static int c_socket_alg(void) { return sock(38 /* AF_ALG */, SOCK_SEQPACKET); }
static int c_socket_vsock(void) { return sock(40 /* AF_VSOCK */, SOCK_STREAM); }
static int do_chroot(void) { return CHECK_RESULT(chroot("/")); }
static int c_chroot(void) { return in_child(do_chroot); }
static int c_mseal(void) { return CHECK_RESULT(syscall(NR_MSEAL, 0, 0, 0)); }
static int c_listmount(void) { return CHECK_RESULT(syscall(NR_LISTMOUNT, NULL, NULL, 0, 0)); }
static int do_unshare_user(void) { return CHECK_RESULT(unshare(CLONE_NEWUSER)); }
static int c_unshare_user(void) { return in_child(do_unshare_user); }
static int do_unshare_files(void) { return CHECK_RESULT(unshare(CLONE_FILES)); }
static int c_unshare_files(void) { return in_child(do_unshare_files); }
static int c_clone_newns(void) {
  /* With a new user namespace CLONE_NEWNS needs no capability, so only seccomp can refuse it. */
  long pid = syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid < 0) return errno;
  if (pid == 0) _exit(0);
  int status;
  waitpid((pid_t)pid, &status, 0);
  return 0;
}
static int c_keyctl(void) {
  return CHECK_RESULT(syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0));
}
static int c_bpf(void) { return CHECK_RESULT(syscall(SYS_bpf, 0, NULL, 0)); }
static int c_io_uring_setup(void) { return CHECK_RESULT(syscall(SYS_io_uring_setup, 1, NULL)); }
static int c_open_tree(void) {
  /* Without OPEN_TREE_CLONE this is an O_PATH open and needs no capability. */
  long fd = syscall(SYS_open_tree, AT_FDCWD, "/", 0);
  if (fd < 0) return errno;
  close((int)fd);
  return 0;
}
static int c_fsopen(void) { return CHECK_RESULT(syscall(SYS_fsopen, "tmpfs", 0)); }
/* A target that does not exist, so even a privileged run outside a container changes nothing. */
static int c_mount(void) {
  return CHECK_RESULT(mount("none", "/nonexistent-seccomp-probe", "tmpfs", 0, NULL));
}
static int c_open_tree_attr(void) {
  return CHECK_RESULT(syscall(NR_OPEN_TREE_ATTR, -1, NULL, 0, NULL, 0));
}
static int c_file_getattr(void) {
  return CHECK_RESULT(syscall(NR_FILE_GETATTR, -1, NULL, NULL, 0, 0));
}
static int c_kcmp(void) {
  return CHECK_RESULT(syscall(SYS_kcmp, getpid(), getpid(), 1 /* KCMP_VM */, 0, 0));
}
static int c_pidfd_getfd(void) {
  long pidfd = syscall(SYS_pidfd_open, getpid(), 0);
  if (pidfd < 0) return errno;
  long fd = syscall(SYS_pidfd_getfd, pidfd, 1, 0);
  int e = CHECK_RESULT(fd);
  if (fd >= 0) close((int)fd);
  close((int)pidfd);
  return e;
}
static int do_ptrace_traceme(void) { return CHECK_RESULT(ptrace(PTRACE_TRACEME, 0, NULL, NULL)); }
static int c_ptrace_traceme(void) { return in_child(do_ptrace_traceme); }
static int c_set_mempolicy_home_node(void) {
  return CHECK_RESULT(syscall(NR_SET_MEMPOLICY_HOME_NODE, 0, 0, 0, 0));
}
static int c_lsm_list_modules(void) {
  uint32_t size = 0;
  return CHECK_RESULT(syscall(NR_LSM_LIST_MODULES, NULL, &size, 0));
}
#ifdef __x86_64__
static int c_x32_getpid(void) { return CHECK_RESULT(syscall(0x40000000L | SYS_getpid)); }
#endif
static int c_fork_child(void) { return 0; }

struct check {
  const char *name;
  int (*fn)(void);
};

static int c_fork_real(void) { return in_child(c_fork_child); }

static const struct check checks[] = {
    {"fork", c_fork_real},
    {"thread", c_thread},
    {"clone3", c_clone3},
    {"personality_linux", c_personality_linux},
    {"personality_query", c_personality_query},
    {"personality_no_aslr", c_personality_no_aslr},
    {"socket_unix", c_socket_unix},
    {"socket_inet", c_socket_inet},
    {"socket_alg", c_socket_alg},
    {"socket_vsock", c_socket_vsock},
    {"chroot", c_chroot},
    {"mseal", c_mseal},
    {"listmount", c_listmount},
    {"ptrace_traceme", c_ptrace_traceme},
    {"unshare_user", c_unshare_user},
    {"unshare_files", c_unshare_files},
    {"clone_newns", c_clone_newns},
    {"keyctl", c_keyctl},
    {"bpf", c_bpf},
    {"io_uring_setup", c_io_uring_setup},
    {"open_tree", c_open_tree},
    {"fsopen", c_fsopen},
    {"mount", c_mount},
    {"kcmp", c_kcmp},
    {"pidfd_getfd", c_pidfd_getfd},
    {"set_mempolicy_home_node", c_set_mempolicy_home_node},
    {"lsm_list_modules", c_lsm_list_modules},
    {"open_tree_attr", c_open_tree_attr},
    {"file_getattr", c_file_getattr},
#ifdef __x86_64__
    {"x32_getpid", c_x32_getpid},
#endif
};

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  int failed = 0;
  for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
    bool wanted = argc == 1;
    for (int a = 1; a < argc; a++)
      if (strcmp(argv[a], checks[i].name) == 0) wanted = true;
    if (!wanted) continue;
    errno = 0;
    int e = checks[i].fn();
    printf("seccomp-probe: %s %s\n", checks[i].name, e ? errname(e) : "ok");
    if (e) failed = 1;
  }
  return argc > 1 ? failed : 0;
}
