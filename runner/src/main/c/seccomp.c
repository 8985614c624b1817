/*
 * seccomp.c — Docker's default seccomp profile for rrun, compiled to classic BPF by hand.
 *
 * The policy is moby/profiles seccomp/default.json (the same list containerd has in
 * contrib/seccomp/seccomp_default.go), turned into tables by gen-seccomp-profile.py in
 * seccomp_profile.h, for a container with containerd's 14 default capabilities:
 *   - the profile's allow list, plus chroot (CAP_SYS_CHROOT is one of the 14);
 *   - personality only with the profile's 5 values, socket except the denied domains (AF_ALG,
 *     AF_VSOCK), clone only without namespace flags (no CAP_SYS_ADMIN), clone3 -> ENOSYS
 *     because its flags live in memory BPF cannot read (libc then falls back to clone);
 *   - everything else the profile names (mount APIs, unshare, setns, bpf, keyctl, ptrace-by-cap
 *     calls such as kcmp and pidfd_getfd, ...) and every other syscall up to the newest one the
 *     profile names: the profile's defaultErrnoRet (EPERM);
 *   - syscalls newer than any the profile names: ENOSYS, so a libc that tries a new call falls
 *     back to the old one, and the kernel's next syscall is denied by default. This is runc's
 *     "ENOSYS stub" (libcontainer/seccomp/patchbpf/enosys_linux.go), which Docker therefore has.
 *
 * ABIs: only the native one (x86_64 or aarch64). Docker also allows i386 and x32 on amd64;
 * rrun refuses them (EPERM for every call): each needs its own number table, and i386
 * multiplexes socket(2) through socketcall(2), whose arguments are in memory, so the AF_ALG
 * rule cannot be enforced there (moby reverted the attempt to block it, 3c28324). Build steps
 * run the image's native binaries; a 32-bit binary needs RUN --security=insecure.
 *
 * Shape: [arch check][x32 check][nr > newest known -> ENOSYS] then a binary search over runs of
 * consecutive syscall numbers with the same action (jt/jf are 8-bit, so a linear chain of ~370
 * compares would not even be encodable, and would be slow). Allowed calls load only arch and nr,
 * so the kernel's seccomp action cache (Linux 5.11+) proves them always-allowed and skips the
 * filter for them; the others cost about a dozen BPF instructions.
 */
#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp.h"

/* Since Linux 5.1 (pidfd_send_signal, 424) every new syscall has the same number on every
 * architecture, so the names the profile has and this machine's kernel headers lack are
 * defined here; without them they would silently drop out of the allow list. */
#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif
#ifndef __NR_map_shadow_stack
#define __NR_map_shadow_stack 453
#endif
#ifndef __NR_futex_wake
#define __NR_futex_wake 454
#endif
#ifndef __NR_futex_wait
#define __NR_futex_wait 455
#endif
#ifndef __NR_futex_requeue
#define __NR_futex_requeue 456
#endif
#ifndef __NR_statmount
#define __NR_statmount 457
#endif
#ifndef __NR_listmount
#define __NR_listmount 458
#endif
#ifndef __NR_lsm_get_self_attr
#define __NR_lsm_get_self_attr 459
#endif
#ifndef __NR_lsm_set_self_attr
#define __NR_lsm_set_self_attr 460
#endif
#ifndef __NR_lsm_list_modules
#define __NR_lsm_list_modules 461
#endif
#ifndef __NR_mseal
#define __NR_mseal 462
#endif
#ifndef __NR_setxattrat
#define __NR_setxattrat 463
#endif
#ifndef __NR_getxattrat
#define __NR_getxattrat 464
#endif
#ifndef __NR_listxattrat
#define __NR_listxattrat 465
#endif
#ifndef __NR_removexattrat
#define __NR_removexattrat 466
#endif
/* x86_64's own numbering (arch/x86/entry/syscalls/syscall_64.tbl, Linux 6.11). */
#if defined(__x86_64__) && !defined(__NR_uretprobe)
#define __NR_uretprobe 335
#endif

#include "seccomp_profile.h"

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

#define X32_SYSCALL_BIT 0x40000000u
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
/* The low 32 bits of argument i: socket(2) and personality(2) take an int, so the kernel reads
 * only this word (libseccomp compares all 64 bits, which a raw syscall with high bits set can
 * slip past); clone's namespace flags are all in it. */
#define ARG_LO(i) \
  ((uint32_t)(offsetof(struct seccomp_data, args[i]) + \
              (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? 4 : 0)))

#ifdef NATIVE_ARCH

enum action { ACT_DENY, ACT_ALLOW, ACT_CLONE3, ACT_PERSONALITY, ACT_SOCKET, ACT_CLONE };

/* A run of consecutive syscall numbers [start, next run's start) with one action. */
struct run {
  uint32_t start;
  enum action action;
};

struct prog {
  struct sock_filter insn[BPF_MAXINSNS];
  size_t n;
  bool overflow;
};

static void emit(struct prog *p, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  if (p->n >= BPF_MAXINSNS) {
    p->overflow = true;
    return;
  }
  p->insn[p->n++] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
}

static uint32_t ret_errno(int err) {
  return SECCOMP_RET_ERRNO | ((uint32_t)err & SECCOMP_RET_DATA);
}

/* Instructions the search over runs[lo, hi) takes; a node whose left half is longer than an
 * 8-bit jump needs one extra BPF_JA (32-bit offset) to reach its right half. */
static size_t tree_size(size_t lo, size_t hi) {
  if (hi - lo == 1) return 1;
  size_t mid = lo + (hi - lo) / 2;
  size_t left = tree_size(lo, mid);
  return 1 + (left > 255 ? 1 : 0) + left + tree_size(mid, hi);
}

/* A leaf is a return, or a jump to the argument check placed after the tree (fixed up later). */
struct fixup {
  size_t at;
  enum action action;
};

static void emit_tree(struct prog *p, const struct run *runs, size_t lo, size_t hi,
                      struct fixup *fix, size_t *nfix) {
  if (hi - lo == 1) {
    switch (runs[lo].action) {
      case ACT_ALLOW: emit(p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0); break;
      case ACT_DENY: emit(p, BPF_RET | BPF_K, ret_errno(PROFILE_DEFAULT_ERRNO), 0, 0); break;
      case ACT_CLONE3: emit(p, BPF_RET | BPF_K, ret_errno(PROFILE_CLONE3_ERRNO), 0, 0); break;
      default:
        fix[(*nfix)++] = (struct fixup){p->n, runs[lo].action};
        emit(p, BPF_JMP | BPF_JA, 0, 0, 0);
    }
    return;
  }
  size_t mid = lo + (hi - lo) / 2;
  size_t left = tree_size(lo, mid);
  if (left > 255) {
    /* nr >= start: fall through to the JA over the left half; else skip the JA. */
    emit(p, BPF_JMP | BPF_JGE | BPF_K, runs[mid].start, 0, 1);
    emit(p, BPF_JMP | BPF_JA, (uint32_t)left, 0, 0);
  } else {
    emit(p, BPF_JMP | BPF_JGE | BPF_K, runs[mid].start, (uint8_t)left, 0);
  }
  emit_tree(p, runs, lo, mid, fix, nfix);
  emit_tree(p, runs, mid, hi, fix, nfix);
}

/* The argument checks; each loads the argument word it needs and returns. */
static size_t emit_arg_check(struct prog *p, enum action action) {
  size_t start = p->n;
  uint32_t allow = SECCOMP_RET_ALLOW, deny = ret_errno(PROFILE_DEFAULT_ERRNO);
  emit(p, BPF_LD | BPF_W | BPF_ABS, ARG_LO(0), 0, 0);
  if (action == ACT_CLONE) {
    emit(p, BPF_JMP | BPF_JSET | BPF_K, PROFILE_CLONE_NS_MASK, 1, 0);
    emit(p, BPF_RET | BPF_K, allow, 0, 0);
    emit(p, BPF_RET | BPF_K, deny, 0, 0);
    return start;
  }
  /* personality: equal to an allowed value -> allow; socket: equal to a denied domain -> deny.
   * Each compare jumps to the second of the two returns that follow the compares. */
  const uint32_t *values = action == ACT_PERSONALITY ? profile_personality
                                                     : profile_denied_socket_domains;
  size_t n = action == ACT_PERSONALITY ? COUNT(profile_personality)
                                       : COUNT(profile_denied_socket_domains);
  for (size_t i = 0; i < n; i++) emit(p, BPF_JMP | BPF_JEQ | BPF_K, values[i], (uint8_t)(n - i), 0);
  emit(p, BPF_RET | BPF_K, action == ACT_PERSONALITY ? deny : allow, 0, 0);
  emit(p, BPF_RET | BPF_K, action == ACT_PERSONALITY ? allow : deny, 0, 0);
  return start;
}

/* The newest syscall number the profile names; everything above it gets ENOSYS. */
static uint32_t newest_known(void) {
  long max = 0;
  for (size_t i = 0; i < COUNT(profile_allowed); i++)
    if (profile_allowed[i] > max) max = profile_allowed[i];
  for (size_t i = 0; i < COUNT(profile_known); i++)
    if (profile_known[i] > max) max = profile_known[i];
  return (uint32_t)max;
}

static enum action action_of(long nr) {
  if (nr == __NR_clone3) return ACT_CLONE3;
  if (nr == __NR_clone) return ACT_CLONE;
  if (nr == __NR_personality) return ACT_PERSONALITY;
  if (nr == __NR_socket) return ACT_SOCKET;
  if (nr == __NR_chroot) return ACT_ALLOW; /* the profile's CAP_SYS_CHROOT entry */
  for (size_t i = 0; i < COUNT(profile_allowed); i++)
    if (profile_allowed[i] == nr) return ACT_ALLOW;
  return ACT_DENY;
}

static struct prog prog;

int seccomp_install_default(char *why, size_t why_size) {
  static struct run runs[1024];
  uint32_t max = newest_known();
  size_t nruns = 0;
  for (uint32_t nr = 0; nr <= max; nr++) {
    enum action a = action_of(nr);
    if (nruns > 0 && runs[nruns - 1].action == a) continue;
    if (nruns == COUNT(runs)) {
      snprintf(why, why_size, "syscall table too fragmented");
      return E2BIG;
    }
    runs[nruns++] = (struct run){nr, a};
  }

  struct prog *p = &prog;
  p->n = 0;
  p->overflow = false;
  emit(p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), 0, 0);
  emit(p, BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0);
  emit(p, BPF_RET | BPF_K, ret_errno(PROFILE_DEFAULT_ERRNO), 0, 0);
  emit(p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
#ifdef __x86_64__
  /* x32 calls arrive with the x86_64 arch and bit 30 set in nr. */
  emit(p, BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1);
  emit(p, BPF_RET | BPF_K, ret_errno(PROFILE_DEFAULT_ERRNO), 0, 0);
#endif
  emit(p, BPF_JMP | BPF_JGT | BPF_K, max, 0, 1);
  emit(p, BPF_RET | BPF_K, ret_errno(ENOSYS), 0, 0);

  struct fixup fix[1024];
  size_t nfix = 0;
  emit_tree(p, runs, 0, nruns, fix, &nfix);
  size_t check[ACT_CLONE + 1] = {0};
  for (enum action a = ACT_PERSONALITY; a <= ACT_CLONE; a++) check[a] = emit_arg_check(p, a);
  if (p->overflow) {
    snprintf(why, why_size, "syscall filter longer than %d instructions", BPF_MAXINSNS);
    return E2BIG;
  }
  for (size_t i = 0; i < nfix; i++) p->insn[fix[i].at].k = (uint32_t)(check[fix[i].action] - fix[i].at - 1);

  struct sock_fprog fprog = {(unsigned short)p->n, p->insn};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0) {
    int err = errno;
    snprintf(why, why_size, "install the syscall filter (%zu instructions)", p->n);
    return err;
  }
  return 0;
}

#else
int seccomp_install_default(char *why, size_t why_size) {
  snprintf(why, why_size, "no syscall filter for this architecture");
  return ENOSYS;
}
#endif
