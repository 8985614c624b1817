/*
 * rrun — the container helper of jbuild's runner module.
 *
 * Usage: rrun SPEC_JSON_PATH STATUS_PATH
 *        rrun - STATUS_PATH      (the spec comes on stdin, which then becomes /dev/null)
 *        rrun userns STATUS_PATH UID_MAP GID_MAP -- COMMAND...   (rootless jbuild, see userns.c)
 *
 * The JVM must never fork or unshare itself (see docs/runner.md §1), so Java starts this small
 * static, single-threaded program with ProcessBuilder. It reads a JSON spec written by Java
 * (over a pipe when it carries secrets, which must never be written to a file),
 * creates the namespaces, mounts the overlay root, /proc, /dev, /sys and the bind mounts,
 * pivots into the new root, drops privileges and runs the command as PID 2 under a reaping PID 1,
 * or (spec "commandIsPid1", RUN steps as in BuildKit) execs it as PID 1 itself.
 *
 * Status protocol: JSON lines appended to STATUS_PATH, each written with a single write(2):
 *   {"pid":N}                              host pid of the container's PID 1, right after clone
 *   {"stub":"/etc/hosts","before":[s,ns],"after":[s,ns]}
 *                                          a mount-point stub this helper created in the rootfs;
 *                                          before/after are the parent dir's mtime around the
 *                                          creation so Java can restore it after deleting the stub
 *   {"error":"<stage>","errno":N,"message":"..."}
 *                                          a setup failure (or exec failure, stage "exec")
 *   {"devices":"fallback","errno":N,"message":"..."}
 *                                          the eBPF device program could not be attached, so the
 *                                          container runs without CAP_MKNOD on a nodev rootfs
 *   {"killed":N}                           the command (PID 2) was killed by signal N
 *   {"exit":N} or {"signal":N}             how the container's PID 1 ended (always last)
 *
 * Process structure:
 *   stage 0 (this process, host namespaces): parses the spec, attaches the eBPF device program
 *       (cgroup2), clones stage 1, writes the pid into the cgroups, releases stage 1 through a
 *       pipe, forwards SIGTERM/SIGINT, waits, reports.
 *   stage 1 (PID 1 in the new pid namespace): mounts, pivot_root, hostname, lo, user lookup,
 *       then forks the command and reaps every process until the command exits.
 *   stage 2 (PID 2): switches user, drops capabilities, optional no_new_privs, execs.
 *
 * Exit codes of this helper: the command's exit code, 128+signal if it was killed, 125 for a
 * setup failure, 127 if the command was not found and 126 if it could not be executed (the
 * shell conventions, so `RUN nosuchcmd` in exec form fails like `sh -c nosuchcmd` would).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp.h"
#include "userns.h"

#define EXIT_SETUP_FAILED 125
#define EXIT_CANNOT_EXECUTE 126
#define EXIT_NOT_FOUND 127
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ------------------------------------------------------------------------------------------ */
/* Status reporting                                                                           */
/* ------------------------------------------------------------------------------------------ */

static int status_fd = -1;

/* Appends a JSON-escaped copy of s to buf (bounded). */
static size_t json_escape(char *buf, size_t cap, size_t len, const char *s) {
  for (; *s && len + 8 < cap; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      buf[len++] = '\\';
      buf[len++] = (char)c;
    } else if (c < 0x20) {
      len += (size_t)snprintf(buf + len, cap - len, "\\u%04x", c);
    } else {
      buf[len++] = (char)c;
    }
  }
  buf[len] = '\0';
  return len;
}

/* One write(2) per line so lines from stage 0, 1 and 2 never interleave (O_APPEND). */
static bool status_line(const char *line) {
  if (status_fd < 0) return false;
  size_t n = strlen(line);
  ssize_t w;
  while ((w = write(status_fd, line, n)) < 0 && errno == EINTR) {
  }
  return w == (ssize_t)n;
}

/* The message ends with strerror(err) when err is set, so Java needs no errno table. */
static void report_error(const char *stage, int err, const char *fmt, ...) {
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (err && n >= 0 && (size_t)n < sizeof msg)
    snprintf(msg + n, sizeof msg - (size_t)n, ": %s", strerror(err));
  char line[6144];
  size_t len = (size_t)snprintf(line, sizeof line, "{\"error\":\"");
  len = json_escape(line, sizeof line, len, stage);
  len += (size_t)snprintf(line + len, sizeof line - len, "\",\"errno\":%d,\"message\":\"", err);
  len = json_escape(line, sizeof line, len, msg);
  snprintf(line + len, sizeof line - len, "\"}\n");
  /* Java words the status line for the user (`jbuild run img /nonexistent`: one line, exit 127,
   * as docker); stderr, which is the container's, gets it only when the status file failed. */
  if (!status_line(line)) fprintf(stderr, "rrun: %s: %s\n", stage, msg);
}

/* Reports a setup failure of stage 1 and ends it; stage 0 then reports the exit. */
__attribute__((noreturn)) static void die(const char *stage, int err, const char *fmt, ...) {
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  report_error(stage, err, "%s", msg);
  _exit(EXIT_SETUP_FAILED);
}

/* ------------------------------------------------------------------------------------------ */
/* A small JSON parser: the spec is written by Jackson, but we still parse it strictly.        */
/* ------------------------------------------------------------------------------------------ */

enum json_type { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT };

struct json {
  enum json_type type;
  bool boolean;
  double number;
  char *string;          /* J_STRING: NUL-terminated UTF-8 (strings containing \u0000 are rejected) */
  size_t count;          /* J_ARRAY / J_OBJECT: number of items */
  struct json **items;   /* J_ARRAY / J_OBJECT values */
  char **keys;           /* J_OBJECT keys */
};

struct json_parser {
  const char *p;
  const char *end;
  const char *error;
  int depth;
};

static void *xmalloc(size_t n) {
  void *p = calloc(1, n ? n : 1);
  if (!p) die("spec", ENOMEM, "out of memory");
  return p;
}

static void *xrealloc(void *old, size_t n) {
  void *p = realloc(old, n ? n : 1);
  if (!p) die("spec", ENOMEM, "out of memory");
  return p;
}

static void json_skip_ws(struct json_parser *jp) {
  while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r'))
    jp->p++;
}

static struct json *json_value(struct json_parser *jp);

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static bool json_hex4(struct json_parser *jp, unsigned *out) {
  if (jp->end - jp->p < 4) return false;
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    int d = hex_digit(jp->p[i]);
    if (d < 0) return false;
    v = v * 16 + (unsigned)d;
  }
  jp->p += 4;
  *out = v;
  return true;
}

static size_t utf8_encode(unsigned cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  } else if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  } else if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Parses a string starting at the opening quote. Returns NULL and sets jp->error on failure. */
static char *json_string_raw(struct json_parser *jp) {
  if (jp->p >= jp->end || *jp->p != '"') {
    jp->error = "expected a string";
    return NULL;
  }
  jp->p++;
  /* The decoded form is never longer than the encoded one (\uXXXX: 6 bytes → at most 3/4). */
  const char *scan = jp->p;
  while (scan < jp->end && *scan != '"') scan += (*scan == '\\') ? 2 : 1;
  if (scan >= jp->end) {
    jp->error = "unterminated string";
    return NULL;
  }
  char *out = xmalloc((size_t)(scan - jp->p) + 1);
  size_t n = 0;
  while (jp->p < jp->end && *jp->p != '"') {
    unsigned char c = (unsigned char)*jp->p++;
    if (c < 0x20) {
      jp->error = "control character in string";
      return NULL;
    }
    if (c != '\\') {
      out[n++] = (char)c;
      continue;
    }
    if (jp->p >= jp->end) break;
    char e = *jp->p++;
    switch (e) {
      case '"': out[n++] = '"'; break;
      case '\\': out[n++] = '\\'; break;
      case '/': out[n++] = '/'; break;
      case 'b': out[n++] = '\b'; break;
      case 'f': out[n++] = '\f'; break;
      case 'n': out[n++] = '\n'; break;
      case 'r': out[n++] = '\r'; break;
      case 't': out[n++] = '\t'; break;
      case 'u': {
        unsigned cp;
        if (!json_hex4(jp, &cp)) {
          jp->error = "bad \\u escape";
          return NULL;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          /* A high surrogate must be followed by an escaped low surrogate. */
          unsigned lo;
          if (jp->end - jp->p < 2 || jp->p[0] != '\\' || jp->p[1] != 'u') {
            jp->error = "unpaired surrogate";
            return NULL;
          }
          jp->p += 2;
          if (!json_hex4(jp, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
            jp->error = "unpaired surrogate";
            return NULL;
          }
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          jp->error = "unpaired surrogate";
          return NULL;
        }
        if (cp == 0) {
          /* Paths, arguments and env entries are C strings; a NUL cannot be represented. */
          jp->error = "\\u0000 is not allowed";
          return NULL;
        }
        n += utf8_encode(cp, out + n);
        break;
      }
      default:
        jp->error = "bad escape";
        return NULL;
    }
  }
  if (jp->p >= jp->end) {
    jp->error = "unterminated string";
    return NULL;
  }
  jp->p++; /* closing quote */
  out[n] = '\0';
  return out;
}

static struct json *json_number(struct json_parser *jp) {
  const char *start = jp->p;
  if (jp->p < jp->end && *jp->p == '-') jp->p++;
  if (jp->p >= jp->end || !isdigit((unsigned char)*jp->p)) {
    jp->error = "bad number";
    return NULL;
  }
  while (jp->p < jp->end && (isdigit((unsigned char)*jp->p) || *jp->p == '.' || *jp->p == 'e' ||
                             *jp->p == 'E' || *jp->p == '+' || *jp->p == '-'))
    jp->p++;
  char tmp[64];
  size_t len = (size_t)(jp->p - start);
  if (len >= sizeof tmp) {
    jp->error = "number too long";
    return NULL;
  }
  memcpy(tmp, start, len);
  tmp[len] = '\0';
  char *endp;
  double v = strtod(tmp, &endp);
  if (*endp != '\0') {
    jp->error = "bad number";
    return NULL;
  }
  struct json *j = xmalloc(sizeof *j);
  j->type = J_NUMBER;
  j->number = v;
  return j;
}

static bool json_literal(struct json_parser *jp, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(jp->end - jp->p) < n || memcmp(jp->p, word, n) != 0) return false;
  jp->p += n;
  return true;
}

/* Parses an array or object body after its opening bracket. */
static struct json *json_container(struct json_parser *jp, bool object) {
  struct json *j = xmalloc(sizeof *j);
  j->type = object ? J_OBJECT : J_ARRAY;
  char close = object ? '}' : ']';
  if (++jp->depth > 64) {
    jp->error = "nesting too deep";
    return NULL;
  }
  json_skip_ws(jp);
  if (jp->p < jp->end && *jp->p == close) {
    jp->p++;
    jp->depth--;
    return j;
  }
  for (;;) {
    char *key = NULL;
    if (object) {
      json_skip_ws(jp);
      key = json_string_raw(jp);
      if (!key) return NULL;
      json_skip_ws(jp);
      if (jp->p >= jp->end || *jp->p != ':') {
        jp->error = "expected ':'";
        return NULL;
      }
      jp->p++;
    }
    struct json *v = json_value(jp);
    if (!v) return NULL;
    j->items = xrealloc(j->items, (j->count + 1) * sizeof *j->items);
    j->keys = xrealloc(j->keys, (j->count + 1) * sizeof *j->keys);
    j->items[j->count] = v;
    j->keys[j->count] = key;
    j->count++;
    json_skip_ws(jp);
    if (jp->p < jp->end && *jp->p == ',') {
      jp->p++;
      continue;
    }
    if (jp->p < jp->end && *jp->p == close) {
      jp->p++;
      jp->depth--;
      return j;
    }
    jp->error = object ? "expected ',' or '}'" : "expected ',' or ']'";
    return NULL;
  }
}

static struct json *json_value(struct json_parser *jp) {
  json_skip_ws(jp);
  if (jp->p >= jp->end) {
    jp->error = "unexpected end of input";
    return NULL;
  }
  char c = *jp->p;
  if (c == '{' || c == '[') {
    jp->p++;
    return json_container(jp, c == '{');
  }
  if (c == '"') {
    char *s = json_string_raw(jp);
    if (!s) return NULL;
    struct json *j = xmalloc(sizeof *j);
    j->type = J_STRING;
    j->string = s;
    return j;
  }
  if (c == '-' || isdigit((unsigned char)c)) return json_number(jp);
  struct json *j = xmalloc(sizeof *j);
  if (json_literal(jp, "true")) {
    j->type = J_BOOL;
    j->boolean = true;
  } else if (json_literal(jp, "false")) {
    j->type = J_BOOL;
  } else if (json_literal(jp, "null")) {
    j->type = J_NULL;
  } else {
    jp->error = "unexpected character";
    return NULL;
  }
  return j;
}

static struct json *json_parse(const char *text, size_t len, const char **error, size_t *offset) {
  struct json_parser jp = {text, text + len, NULL, 0};
  struct json *j = json_value(&jp);
  if (j) {
    json_skip_ws(&jp);
    if (jp.p != jp.end) {
      jp.error = "trailing characters";
      j = NULL;
    }
  }
  *error = jp.error;
  *offset = (size_t)(jp.p - text);
  return j;
}

static struct json *json_get(const struct json *obj, const char *key) {
  if (!obj || obj->type != J_OBJECT) return NULL;
  for (size_t i = 0; i < obj->count; i++)
    if (strcmp(obj->keys[i], key) == 0) return obj->items[i];
  return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* The spec                                                                                   */
/* ------------------------------------------------------------------------------------------ */

static bool write_all(int fd, const char *buf, ssize_t n);

struct bind_mount {
  const char *source;
  const char *target;
  bool read_only;
  int tree_fd; /* detached clone of source, opened before pivot_root */
  bool tmpfs;  /* RUN --mount=type=tmpfs: a fresh tmpfs instead of source */
  unsigned long tmpfs_size; /* its size= in bytes, 0 for the kernel's default */
  const char *subpath; /* optional: bind this relative path inside source instead (RUN
                        * --mount=type=cache,source=); resolved with no symlink at all */
};

/* A cgroup file system to mount read-only inside the container (target relative to
 * /sys/fs/cgroup, "" for the directory itself; type "cgroup" or "cgroup2"). */
struct cgroup_mount {
  const char *target;
  const char *type;
  const char *data;
};

/* A secret (BuildKit RUN --mount=type=secret): a read-only file on a private tmpfs, an
 * environment variable, or both. Its bytes exist only in memory and in that tmpfs. */
struct secret {
  const char *target;   /* absolute path in the container, or NULL for an env-only secret */
  const char *env;      /* environment variable name, or NULL */
  unsigned char *data;  /* the decoded value; zeroed once it is no longer needed */
  size_t len;
  uid_t uid;
  gid_t gid;
  mode_t mode;
  int tree_fd;          /* detached clone of its file on the staging tmpfs */
};

struct spec_rlimit {
  const char *name;
  int resource;
  struct rlimit value;
};

struct spec {
  const char *inplace_root; /* in-place mode: run here as it is, no namespaces or mounts */
  const char *rootfs;       /* empty dir the overlay is mounted on (private mount ns only) */
  const char *layers_root;  /* optional: chdir here so lowerdirs can be short relative paths */
  char **lower_dirs;        /* top first */
  size_t lower_count;
  const char *upper_dir;
  const char *work_dir;
  char **args;              /* NULL-terminated */
  char **env;               /* NULL-terminated */
  size_t env_count;
  const char *cwd;
  const char *user;
  const char *hostname;
  bool host_network;
  const char *netns;        /* optional: a network namespace file to join (bridge mode) */
  struct bind_mount *mounts;
  size_t mount_count;
  char **cgroup_procs;
  size_t cgroup_count;
  bool cgroup_namespace;    /* unshare a cgroup namespace once inside the cgroups */
  struct cgroup_mount *cgroup_mounts; /* what to mount read-only under /sys/fs/cgroup */
  size_t cgroup_mount_count;
  bool no_new_privileges;
  bool seccomp;             /* install the default syscall filter */
  bool command_is_pid1;     /* exec the command as PID 1 instead of forking it as PID 2 */
  bool tty;                 /* give the command a pseudo-terminal, relayed by PID 1 */
  const char *device_policy; /* "cgroup" (Java wrote v1 rules), "ebpf" or "none" */
  const char *device_cgroup; /* cgroup2 dir for the eBPF device program */
  char **device_rules;      /* allowed devices, v1 syntax: "c 1:3 rwm", "b *:* m" */
  size_t device_rule_count;
  bool restrict_devices;    /* no device policy: drop CAP_MKNOD, mount the rootfs nodev */
  bool userns;              /* we run as root of a user namespace (rootless): see load_spec */
  bool volatile_upper;      /* mount the overlay "volatile": no syncs of the upper fs */
  int device_fds[6];        /* userns: detached clones of the host's default device nodes */
  int proc_fd;              /* userns: a detached proc mount of the container's pid namespace */
  int sys_fd;               /* userns: a detached sysfs mount, or rbind of the host's /sys */
  bool bound_proc;          /* userns where no new proc may be mounted: no PID namespace, rbind
                             * of this process's /proc and /sys (see open_userns_sources) */
  struct secret *secrets;
  size_t secret_count;
  unsigned long long shm_size; /* bytes of the /dev/shm tmpfs; 0: docker's 64 MiB */
  struct spec_rlimit *rlimits; /* docker build --ulimit: set in stage 2 before the user switch */
  size_t rlimit_count;
  char tty_slave[64];       /* set by PID 1: the pty's slave path inside the container */
};

static const char *spec_string(const struct json *root, const char *key, bool required,
                               const char *fallback) {
  const struct json *v = json_get(root, key);
  if (!v || v->type == J_NULL) {
    if (required) die("spec", 0, "missing string field \"%s\"", key);
    return fallback;
  }
  if (v->type != J_STRING) die("spec", 0, "field \"%s\" must be a string", key);
  return v->string;
}

static char **spec_strings(const struct json *root, const char *key, bool required,
                           size_t *count) {
  const struct json *v = json_get(root, key);
  if (!v || v->type == J_NULL) {
    if (required) die("spec", 0, "missing array field \"%s\"", key);
    *count = 0;
    return xmalloc(sizeof(char *));
  }
  if (v->type != J_ARRAY) die("spec", 0, "field \"%s\" must be an array", key);
  char **out = xmalloc((v->count + 1) * sizeof *out);
  for (size_t i = 0; i < v->count; i++) {
    if (v->items[i]->type != J_STRING)
      die("spec", 0, "field \"%s\" must contain only strings", key);
    out[i] = v->items[i]->string;
  }
  *count = v->count;
  return out;
}

static bool spec_bool(const struct json *root, const char *key) {
  const struct json *v = json_get(root, key);
  if (!v || v->type == J_NULL) return false;
  if (v->type != J_BOOL) die("spec", 0, "field \"%s\" must be a boolean", key);
  return v->boolean;
}

/* Reads path, or stdin when path is "-" (then stdin becomes /dev/null for the container). */
static char *read_file(const char *path, size_t *len) {
  bool from_stdin = strcmp(path, "-") == 0;
  int fd = from_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("spec", errno, "open %s", path);
  size_t cap = 4096, n = 0;
  char *buf = xmalloc(cap);
  for (;;) {
    if (n + 1 >= cap) buf = xrealloc(buf, cap *= 2);
    ssize_t r = read(fd, buf + n, cap - n - 1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) die("spec", errno, "read %s", path);
    if (r == 0) break;
    n += (size_t)r;
  }
  close(fd);
  if (from_stdin) {
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0) die("spec", errno, "open /dev/null");
    if (null_fd != STDIN_FILENO) {
      if (dup2(null_fd, STDIN_FILENO) < 0) die("spec", errno, "dup2 /dev/null");
      close(null_fd);
    }
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

static int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* Decodes standard base64 (Jackson's binary encoding, '=' padded). */
static unsigned char *base64_decode(const char *in, size_t *out_len) {
  size_t n = strlen(in);
  unsigned char *out = xmalloc(n / 4 * 3 + 3);
  size_t len = 0;
  unsigned acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    if (in[i] == '=') break;
    int v = base64_value(in[i]);
    if (v < 0) die("spec", 0, "a secret's data is not valid base64");
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[len++] = (unsigned char)(acc >> bits);
    }
  }
  *out_len = len;
  return out;
}

static unsigned long spec_id(const struct json *m, const char *key, unsigned long fallback,
                             unsigned long max) {
  const struct json *v = json_get(m, key);
  if (!v || v->type == J_NULL) return fallback;
  if (v->type != J_NUMBER || v->number < 0 || v->number > (double)max ||
      v->number != (double)(unsigned long)v->number)
    die("spec", 0, "secrets[].%s must be an integer from 0 to %lu", key, max);
  return (unsigned long)v->number;
}

/* Sets NAME=value in the env array, replacing an entry of the same name. */
static void set_env(struct spec *s, const char *name, const unsigned char *value, size_t len) {
  size_t nlen = strlen(name);
  char *entry = xmalloc(nlen + len + 2);
  memcpy(entry, name, nlen);
  entry[nlen] = '=';
  memcpy(entry + nlen + 1, value, len);
  for (size_t i = 0; i < s->env_count; i++) {
    if (strncmp(s->env[i], name, nlen) == 0 && s->env[i][nlen] == '=') {
      s->env[i] = entry;
      return;
    }
  }
  s->env = xrealloc(s->env, (s->env_count + 2) * sizeof *s->env);
  s->env[s->env_count++] = entry;
  s->env[s->env_count] = NULL;
}

/* secrets: [{"target":"/run/secrets/x"?, "env":"X"?, "data":"<base64>", "uid", "gid", "mode"}] */
static void load_secrets(const struct json *root, struct spec *s) {
  const struct json *secrets = json_get(root, "secrets");
  if (!secrets || secrets->type == J_NULL) return;
  if (secrets->type != J_ARRAY) die("spec", 0, "field \"secrets\" must be an array");
  s->secrets = xmalloc(secrets->count * sizeof *s->secrets);
  s->secret_count = secrets->count;
  for (size_t i = 0; i < secrets->count; i++) {
    const struct json *m = secrets->items[i];
    struct secret *sec = &s->secrets[i];
    if (m->type != J_OBJECT) die("spec", 0, "secrets[%zu] must be an object", i);
    sec->target = spec_string(m, "target", false, NULL);
    sec->env = spec_string(m, "env", false, NULL);
    if (!sec->target && !sec->env) die("spec", 0, "secrets[%zu] needs a target or an env", i);
    if (sec->target && sec->target[0] != '/')
      die("spec", 0, "secret target \"%s\" must be absolute", sec->target);
    if (sec->env && (!sec->env[0] || strchr(sec->env, '=')))
      die("spec", 0, "secret env name \"%s\" is not valid", sec->env);
    char *encoded = (char *)spec_string(m, "data", true, NULL);
    sec->data = base64_decode(encoded, &sec->len);
    explicit_bzero(encoded, strlen(encoded));
    sec->uid = (uid_t)spec_id(m, "uid", 0, 0xfffffffeUL);
    sec->gid = (gid_t)spec_id(m, "gid", 0, 0xfffffffeUL);
    sec->mode = (mode_t)spec_id(m, "mode", 0400, 07777);
    sec->tree_fd = -1;
    if (sec->env) {
      /* Never name the value in a message. */
      if (memchr(sec->data, '\0', sec->len))
        die("spec", 0, "the secret for env %s contains a NUL byte", sec->env);
      set_env(s, sec->env, sec->data, sec->len);
    }
  }
}

/* A limit: -1 is RLIM_INFINITY; JSON numbers are doubles, so exact only below 2^53. */
static rlim_t spec_rlim(const struct json *m, const char *key, size_t i) {
  const struct json *v = json_get(m, key);
  if (!v || v->type != J_NUMBER || v->number < -1 || v->number >= 9007199254740992.0 ||
      v->number != (double)(long long)v->number)
    die("spec", 0, "rlimits[%zu].%s must be -1 or an integer from 0 to 2^53", i, key);
  return v->number == -1 ? RLIM_INFINITY : (rlim_t)v->number;
}

/* rlimits: [{"name":"nofile","soft":1024,"hard":2048}], docker's (go-units) names. */
static void load_rlimits(const struct json *root, struct spec *s) {
  static const struct { const char *name; int resource; } names[] = {
      {"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},       {"data", RLIMIT_DATA},
      {"fsize", RLIMIT_FSIZE},       {"locks", RLIMIT_LOCKS},   {"memlock", RLIMIT_MEMLOCK},
      {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},     {"nofile", RLIMIT_NOFILE},
      {"nproc", RLIMIT_NPROC},       {"rss", RLIMIT_RSS},       {"rtprio", RLIMIT_RTPRIO},
      {"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
      {"stack", RLIMIT_STACK}};
  const struct json *list = json_get(root, "rlimits");
  if (!list || list->type == J_NULL) return;
  if (list->type != J_ARRAY) die("spec", 0, "field \"rlimits\" must be an array");
  s->rlimits = xmalloc((list->count + 1) * sizeof *s->rlimits);
  s->rlimit_count = list->count;
  for (size_t i = 0; i < list->count; i++) {
    const struct json *m = list->items[i];
    if (m->type != J_OBJECT) die("spec", 0, "rlimits[%zu] must be an object", i);
    const char *name = spec_string(m, "name", true, NULL);
    s->rlimits[i].name = name;
    s->rlimits[i].resource = -1;
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++)
      if (strcmp(names[n].name, name) == 0) s->rlimits[i].resource = names[n].resource;
    if (s->rlimits[i].resource < 0) die("spec", 0, "unknown rlimit \"%s\"", name);
    s->rlimits[i].value.rlim_cur = spec_rlim(m, "soft", i);
    s->rlimits[i].value.rlim_max = spec_rlim(m, "hard", i);
    if (s->rlimits[i].value.rlim_cur > s->rlimits[i].value.rlim_max)
      die("spec", 0, "rlimits[%zu]: the soft limit is above the hard limit", i);
  }
}

/* Whether p is a relative path whose components are all names: no "", "." or "..". */
static bool clean_relative(const char *p) {
  if (p[0] == '\0' || p[0] == '/') return false;
  for (const char *c = p; *c;) {
    const char *end = strchrnul(c, '/');
    size_t n = (size_t)(end - c);
    if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) return false;
    c = *end ? end + 1 : end;
    if (*end && !*c) return false; /* a trailing slash is an empty last component */
  }
  return true;
}

static void load_spec(const char *path, struct spec *s) {
  size_t len;
  char *text = read_file(path, &len);
  const char *error;
  size_t offset;
  struct json *root = json_parse(text, len, &error, &offset);
  if (!root) die("spec", 0, "invalid JSON in %s at offset %zu: %s", path, offset, error);
  /* The text may hold secrets; the parsed tree has its own copies. */
  explicit_bzero(text, len);
  free(text);
  if (root->type != J_OBJECT) die("spec", 0, "spec must be a JSON object");

  /* In-place mode (no namespaces, no mounts: root in an unprivileged container) runs in a root
   * the caller filled and diffs itself; everything else about the command is the same. */
  s->inplace_root = spec_string(root, "inPlaceRoot", false, NULL);
  bool overlay = s->inplace_root == NULL;
  s->rootfs = spec_string(root, "rootfs", overlay, NULL);
  s->layers_root = spec_string(root, "layersRoot", false, NULL);
  s->lower_dirs = spec_strings(root, "lowerDirs", overlay, &s->lower_count);
  if (overlay && s->lower_count == 0) die("spec", 0, "lowerDirs must not be empty");
  s->upper_dir = spec_string(root, "upperDir", overlay, NULL);
  s->work_dir = spec_string(root, "workDir", overlay, NULL);
  size_t argc;
  s->args = spec_strings(root, "args", true, &argc);
  if (argc == 0) die("spec", 0, "args must not be empty");
  s->env = spec_strings(root, "env", false, &s->env_count);
  s->cwd = spec_string(root, "cwd", false, "/");
  s->user = spec_string(root, "user", false, "");
  s->hostname = spec_string(root, "hostname", false, "buildkitsandbox");
  const char *network = spec_string(root, "network", false, "none");
  s->netns = spec_string(root, "netns", false, NULL);
  if (strcmp(network, "host") == 0) s->host_network = true;
  else if (strcmp(network, "bridge") == 0) {
    if (!s->netns) die("spec", 0, "network mode \"bridge\" needs a \"netns\" to join");
  } else if (strcmp(network, "none") != 0) die("spec", 0, "unknown network mode \"%s\"", network);
  if (s->netns && strcmp(network, "bridge") != 0)
    die("spec", 0, "\"netns\" is only valid with network mode \"bridge\"");
  s->cgroup_procs = spec_strings(root, "cgroupProcs", false, &s->cgroup_count);
  s->cgroup_namespace = spec_bool(root, "cgroupNamespace");
  s->no_new_privileges = spec_bool(root, "noNewPrivileges");
  s->seccomp = spec_bool(root, "seccomp");
  s->command_is_pid1 = spec_bool(root, "commandIsPid1");
  s->volatile_upper = spec_bool(root, "volatileUpper");
  s->tty = spec_bool(root, "tty");
  /* Absent means no policy, and so the safe fallback rather than unconfined devices. */
  s->device_policy = spec_string(root, "devicePolicy", false, "none");
  s->device_cgroup = spec_string(root, "deviceCgroup", false, NULL);
  s->device_rules = spec_strings(root, "deviceRules", false, &s->device_rule_count);
  if (strcmp(s->device_policy, "ebpf") == 0) {
    if (!s->device_cgroup) die("spec", 0, "device policy \"ebpf\" needs a \"deviceCgroup\"");
  } else if (strcmp(s->device_policy, "none") == 0) {
    s->restrict_devices = true;
  } else if (strcmp(s->device_policy, "cgroup") != 0) {
    die("spec", 0, "unknown device policy \"%s\"", s->device_policy);
  }

  const struct json *cgmounts = json_get(root, "cgroupMounts");
  if (cgmounts && cgmounts->type != J_NULL) {
    if (cgmounts->type != J_ARRAY) die("spec", 0, "field \"cgroupMounts\" must be an array");
    s->cgroup_mounts = xmalloc(cgmounts->count * sizeof *s->cgroup_mounts);
    s->cgroup_mount_count = cgmounts->count;
    for (size_t i = 0; i < cgmounts->count; i++) {
      const struct json *m = cgmounts->items[i];
      if (m->type != J_OBJECT) die("spec", 0, "cgroupMounts[%zu] must be an object", i);
      s->cgroup_mounts[i].target = spec_string(m, "target", true, NULL);
      s->cgroup_mounts[i].type = spec_string(m, "type", true, NULL);
      s->cgroup_mounts[i].data = spec_string(m, "data", false, NULL);
      if (strchr(s->cgroup_mounts[i].target, '/') || strcmp(s->cgroup_mounts[i].target, ".") == 0 ||
          strcmp(s->cgroup_mounts[i].target, "..") == 0)
        die("spec", 0, "cgroupMounts[%zu].target must be a plain name", i);
    }
  }

  const struct json *mounts = json_get(root, "mounts");
  if (mounts && mounts->type != J_NULL) {
    if (mounts->type != J_ARRAY) die("spec", 0, "field \"mounts\" must be an array");
    s->mounts = xmalloc(mounts->count * sizeof *s->mounts);
    s->mount_count = mounts->count;
    for (size_t i = 0; i < mounts->count; i++) {
      const struct json *m = mounts->items[i];
      if (m->type != J_OBJECT) die("spec", 0, "mounts[%zu] must be an object", i);
      s->mounts[i].tmpfs = spec_bool(m, "tmpfs");
      s->mounts[i].tmpfs_size = spec_id(m, "size", 0, 1ul << 50);
      s->mounts[i].source = spec_string(m, "source", !s->mounts[i].tmpfs, NULL);
      s->mounts[i].target = spec_string(m, "target", true, NULL);
      s->mounts[i].read_only = spec_bool(m, "readOnly");
      s->mounts[i].tree_fd = -1;
      if (s->mounts[i].target[0] != '/')
        die("spec", 0, "mount target \"%s\" must be absolute", s->mounts[i].target);
      s->mounts[i].subpath = spec_string(m, "subpath", false, NULL);
      if (s->mounts[i].subpath && (s->mounts[i].tmpfs || !clean_relative(s->mounts[i].subpath)))
        die("spec", 0, "mount subpath \"%s\" must be a relative path without \".\", \"..\" or empty"
            " components, on a bind mount", s->mounts[i].subpath);
    }
  }
  if (s->cwd[0] != '/') die("spec", 0, "cwd \"%s\" must be absolute", s->cwd);
  /* Rootless (docs/runner.md §6): overlay with userxattr, device nodes bound from the host
   * (mknod of real devices is impossible in a user namespace), no cgroups or device cgroup. */
  s->userns = spec_bool(root, "userns");
  if (s->userns && (s->cgroup_count || s->cgroup_mount_count || strcmp(s->device_policy, "none")))
    die("spec", 0, "a user namespace spec cannot have cgroups or a device policy");
  s->bound_proc = spec_bool(root, "boundProc");
  if (s->bound_proc && !s->userns) die("spec", 0, "boundProc is only valid with userns");
  load_secrets(root, s);
  load_rlimits(root, s);
  const struct json *shm = json_get(root, "shmSize");
  if (shm && shm->type != J_NULL) {
    if (shm->type != J_NUMBER || shm->number < 4096 || shm->number >= 9007199254740992.0 ||
        shm->number != (double)(long long)shm->number)
      die("spec", 0, "shmSize must be an integer of at least 4096 bytes");
    s->shm_size = (unsigned long long)shm->number;
  }
  if (s->inplace_root) {
    if (s->inplace_root[0] != '/') die("spec", 0, "inPlaceRoot must be absolute");
    if (s->lower_count || s->mount_count || s->secret_count || s->cgroup_count
        || s->cgroup_mount_count || s->netns || !s->host_network || s->tty || s->userns)
      die("spec", 0, "an in-place spec cannot have layers, mounts, secrets, cgroups, a network"
          " of its own, a terminal or a user namespace");
    /* Docker's own profile already filters every process here; ours would need CAP_SYS_ADMIN
     * or no_new_privs, and the host's device cgroup already guards device nodes. */
    s->seccomp = false;
    s->restrict_devices = false;
  }
}

/* Forgets the secrets' values (stage 0 after the clone, stage 1 once they are on the tmpfs). */
static void wipe_secrets(struct spec *s, bool env_too) {
  for (size_t i = 0; i < s->secret_count; i++) {
    struct secret *sec = &s->secrets[i];
    explicit_bzero(sec->data, sec->len);
    if (env_too && sec->env) {
      size_t nlen = strlen(sec->env);
      for (size_t j = 0; j < s->env_count; j++)
        if (strncmp(s->env[j], sec->env, nlen) == 0 && s->env[j][nlen] == '=')
          explicit_bzero(s->env[j] + nlen + 1, strlen(s->env[j] + nlen + 1));
    }
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Small file-system helpers (used after pivot_root, so paths resolve inside the container)   */
/* ------------------------------------------------------------------------------------------ */

static void stat_mtime(const char *path, struct timespec *out) {
  struct stat st;
  if (stat(path, &st) == 0) *out = st.st_mtim;
  else out->tv_sec = out->tv_nsec = 0;
}

/* Tells Java about an entry we created only so something could be mounted on it. */
static void report_stub(const char *path, const struct timespec *before,
                        const struct timespec *after) {
  char line[PATH_MAX + 256];
  size_t len = (size_t)snprintf(line, sizeof line, "{\"stub\":\"");
  len = json_escape(line, sizeof line, len, path);
  snprintf(line + len, sizeof line - len, "\",\"before\":[%lld,%ld],\"after\":[%lld,%ld]}\n",
           (long long)before->tv_sec, before->tv_nsec, (long long)after->tv_sec, after->tv_nsec);
  status_line(line);
}

/* Joins the real path of parent with name; parent must exist. */
static void real_child_path(const char *parent, const char *name, char *out, size_t cap) {
  char real[PATH_MAX];
  if (!realpath(parent, real)) die("mkdir", errno, "resolve %s", parent);
  int n = snprintf(out, cap, "%s%s%s", real, strcmp(real, "/") == 0 ? "" : "/", name);
  if (n < 0 || (size_t)n >= cap) die("mkdir", ENAMETOOLONG, "%s/%s", real, name);
}

/*
 * Creates path (a dir, or an empty file if !dir) and every missing parent, reporting each created
 * entry as a stub when report is set. Returns true if the final entry was created.
 */
static bool create_path(const char *path, bool dir, mode_t mode, bool report, uid_t uid,
                        gid_t gid) {
  char buf[PATH_MAX];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
    die("mkdir", ENAMETOOLONG, "%s", path);
  bool created = false;
  for (char *p = buf + 1;; p++) {
    bool last = (*p == '\0');
    if (*p != '/' && !last) continue;
    char saved = *p;
    *p = '\0';
    struct stat st;
    if (buf[0] && stat(buf, &st) != 0) {
      if (errno != ENOENT) die("mkdir", errno, "stat %s", buf);
      char *slash = strrchr(buf, '/');
      char parent[PATH_MAX];
      snprintf(parent, sizeof parent, "%.*s", (int)(slash - buf), buf);
      if (!parent[0]) strcpy(parent, "/");
      char real[PATH_MAX];
      real_child_path(parent, slash + 1, real, sizeof real);
      struct timespec before, after;
      stat_mtime(parent, &before);
      if (last && !dir) {
        int fd = open(buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0) die("mkdir", errno, "create %s", buf);
        if (fchmod(fd, mode) != 0) die("mkdir", errno, "chmod %s", buf);
        close(fd);
      } else {
        /* Missing parents of a file target get 0755 like mkdir -p, not the file's mode. */
        mode_t dmode = (last && dir) ? mode : 0755;
        if (mkdir(buf, dmode) != 0) die("mkdir", errno, "mkdir %s", buf);
        if (chmod(buf, dmode) != 0) die("mkdir", errno, "chmod %s", buf);
      }
      if ((uid != 0 || gid != 0) && lchown(buf, uid, gid) != 0) die("mkdir", errno, "chown %s", buf);
      stat_mtime(parent, &after);
      if (report) report_stub(real, &before, &after);
      created = last;
    } else if (!last && buf[0] && !S_ISDIR(st.st_mode)) {
      die("mkdir", ENOTDIR, "%s is not a directory", buf);
    }
    if (last) break;
    *p = saved;
  }
  return created;
}

/* Follows a final-component symlink (possibly dangling) inside the container root. */
static void resolve_final_symlinks(const char *path, char *out, size_t cap) {
  snprintf(out, cap, "%s", path);
  for (int i = 0; i < 40; i++) {
    struct stat st;
    if (lstat(out, &st) != 0 || !S_ISLNK(st.st_mode)) return;
    char link[PATH_MAX];
    ssize_t n = readlink(out, link, sizeof link - 1);
    if (n < 0) die("mount", errno, "readlink %s", out);
    link[n] = '\0';
    char next[PATH_MAX];
    int len;
    if (link[0] == '/') {
      len = snprintf(next, sizeof next, "%s", link);
    } else {
      char *slash = strrchr(out, '/');
      len = snprintf(next, sizeof next, "%.*s/%s", (int)(slash - out), out, link);
    }
    if (len < 0 || (size_t)len >= sizeof next) die("mount", ENAMETOOLONG, "resolve %s", path);
    snprintf(out, cap, "%s", next);
  }
  die("mount", ELOOP, "too many symlinks resolving %s", path);
}

/* ------------------------------------------------------------------------------------------ */
/* Stage 1: mounts                                                                            */
/* ------------------------------------------------------------------------------------------ */

/* overlayfs splits lowerdir on ':' and options on ','; a backslash escapes both. */
static size_t append_escaped(char *buf, size_t cap, size_t len, const char *s) {
  for (; *s; s++) {
    if (len + 3 >= cap) return cap;
    if (*s == ':' || *s == ',' || *s == '\\') buf[len++] = '\\';
    buf[len++] = *s;
  }
  buf[len] = '\0';
  return len;
}

static void mount_overlay(const struct spec *s) {
  /* Relative lowerdirs resolve against our cwd, which keeps deep stacks under the one-page limit
   * of mount(2) data; the kernel would otherwise truncate the option string silently. */
  if (s->layers_root && chdir(s->layers_root) != 0)
    die("mount overlay", errno, "chdir to layers root %s", s->layers_root);
  long page = sysconf(_SC_PAGESIZE);
  size_t cap = 1 << 20;
  char *opts = xmalloc(cap);
  size_t len = (size_t)snprintf(opts, cap, "lowerdir=");
  for (size_t i = 0; i < s->lower_count; i++) {
    if (i) opts[len++] = ':';
    len = append_escaped(opts, cap, len, s->lower_dirs[i]);
  }
  len += (size_t)snprintf(opts + len, cap - len, ",upperdir=");
  len = append_escaped(opts, cap, len, s->upper_dir);
  len += (size_t)snprintf(opts + len, cap - len, ",workdir=");
  len = append_escaped(opts, cap, len, s->work_dir);
  /* The diff-safe set: no index, no redirects, no metacopy stubs in the upperdir (§5). */
  /* In a user namespace overlayfs must use user.overlay.* xattrs (kernel >= 5.11); without
   * userxattr the mount succeeds but removing a lower directory fails with EIO (§6). The kernel
   * refuses userxattr with redirect_dir=off where that means "follow" (redirect_always_follow,
   * dmesg "conflicting options"); nofollow neither creates nor follows redirects. */
  len += (size_t)snprintf(opts + len, cap - len,
                          s->userns ? ",index=off,redirect_dir=nofollow,metacopy=off,userxattr"
                                    : ",index=off,redirect_dir=off,metacopy=off");
  if (len + 1 > (size_t)page)
    die("mount overlay", E2BIG,
        "overlay options are %zu bytes, more than one page (%ld); pass a layersRoot so the "
        "lower dirs can be given as short relative paths", len, page);
  /* Without a device policy, nodes the image ships (say, for the host's disk) must not open. */
  unsigned long flags = s->restrict_devices ? MS_NODEV : 0;
  /* volatile (Linux >= 5.10): the upper fs is never synced, neither by the command's fsyncs nor
   * at unmount, where a step that wrote 600 MB otherwise waits for the disk. A kernel without
   * it says EINVAL; the mount is then made without it. */
  if (s->volatile_upper && len + sizeof ",volatile" <= (size_t)page) {
    size_t plain = len;
    snprintf(opts + len, cap - len, ",volatile");
    if (mount("overlay", s->rootfs, "overlay", flags, opts) == 0) return;
    if (errno != EINVAL)
      die("mount overlay", errno, "mount overlay on %s (%zu lower dirs)", s->rootfs,
          s->lower_count);
    opts[plain] = '\0';
  }
  if (mount("overlay", s->rootfs, "overlay", flags, opts) != 0)
    die("mount overlay", errno, "mount overlay on %s (%zu lower dirs)", s->rootfs, s->lower_count);
}

/*
 * The subpath of a bind source, opened without a check-then-use race. Its content was written
 * by RUN steps (a cache directory), so any component may be a symlink, or become one while we
 * look (another build sharing the cache). openat2 resolves the whole path in the kernel, inside
 * the source (RESOLVE_IN_ROOT), and fails with ELOOP on any symlink (RESOLVE_NO_SYMLINKS), so no
 * swap at any moment can point the result outside; the mount is then cloned from that very fd.
 * BuildKit (executor/oci/spec_linux.go sub()) instead follows links scoped to the cache root
 * (continuity fs.RootPath), then re-checks /proc/self/fd and retries; a link is refused here,
 * which also fails its testCacheMountSourceEscape (sel -> /etc). A missing path fails, as there.
 */
static int open_subpath(const struct bind_mount *m) {
  int root = open(m->source, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) die("mount bind", errno, "open %s", m->source);
  struct open_how how = {0};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  int fd, tries = 0;
  do { /* EAGAIN: a concurrent rename; the kernel asks to retry */
    fd = (int)syscall(SYS_openat2, root, m->subpath, &how, sizeof how);
  } while (fd < 0 && errno == EAGAIN && ++tries < 100);
  int err = errno;
  close(root);
  if (fd >= 0) return fd;
  const char *why = err == ELOOP    ? "is a symbolic link or passes through one"
                    : err == ENOENT  ? "does not exist"
                    : err == ENOTDIR ? "passes through something that is not a directory"
                    : err == EXDEV   ? "crosses a mount point"
                                     : NULL;
  /* The known reasons are said in words, so the errno (and its strerror suffix) stays out. */
  if (why) die("mount subpath", 0, "%s: source \"%s\" %s", m->target, m->subpath, why);
  die("mount subpath", err, "%s: source \"%s\" cannot be opened", m->target, m->subpath);
}

/* Detached copies of the bind sources, taken while the host root is still reachable. */
static void open_bind_sources(struct spec *s) {
  for (size_t i = 0; i < s->mount_count; i++) {
    struct bind_mount *m = &s->mounts[i];
    if (m->tmpfs) continue;
    if (m->subpath) {
      int fd = open_subpath(m);
      m->tree_fd = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
      if (m->tree_fd < 0) die("mount bind", errno, "open_tree %s/%s", m->source, m->subpath);
      close(fd);
    } else {
      m->tree_fd = open_tree(AT_FDCWD, m->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    }
    if (m->tree_fd < 0) die("mount bind", errno, "open_tree %s", m->source);
    if (m->read_only || s->restrict_devices) {
      struct mount_attr attr = {0};
      attr.attr_set = (m->read_only ? MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID : 0) | MOUNT_ATTR_NODEV;
      if (mount_setattr(m->tree_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0)
        die("mount bind", errno, "make %s read-only", m->source);
    }
  }
}

static void enter_rootfs(const struct spec *s) {
  if (chdir(s->rootfs) != 0) die("pivot_root", errno, "chdir %s", s->rootfs);
  /* pivot_root(".", ".") stacks the old root on top of the new one; detaching "." removes it
   * without needing a directory for it inside the image (pivot_root(2), runc). */
  if (syscall(SYS_pivot_root, ".", ".") != 0) die("pivot_root", errno, "pivot_root %s", s->rootfs);
  if (umount2(".", MNT_DETACH) != 0) die("pivot_root", errno, "detach the old root");
  if (chdir("/") != 0) die("pivot_root", errno, "chdir /");
}

static void mount_fs(const char *source, const char *target, const char *type,
                     unsigned long flags, const char *data) {
  if (mount(source, target, type, flags, data) != 0)
    die("mount", errno, "mount %s on %s%s%s", type ? type : source, target, data ? " with " : "",
        data ? data : "");
}

/* Ensures a mount point exists in the image; if we create it, it is a stub. */
static void mount_point(const char *path, bool dir) {
  create_path(path, dir, dir ? 0755 : 0644, true, 0, 0);
}

static const struct {
  const char *name;
  unsigned major, minor;
} default_devices[] = {{"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
                       {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};

/*
 * In a user namespace the default nodes cannot be made with mknod; clone the host's while its
 * root is still reachable and bind them later (runc's createDevices for rootless containers).
 * proc and sysfs must be made here too: the kernel lets a user namespace mount them only while
 * a fully visible one is in its mount namespace (mount_too_revealing), and pivot_root detaches
 * the host's. With the host network, sysfs can only be mounted by the owner of the network
 * namespace, so the host's /sys is bound read-only instead (runc's ToRootless rules).
 */
static void open_userns_sources(struct spec *s);

/* A new mount of a pseudo file system, not yet attached anywhere (fsopen/fsmount, Linux 5.2). */
static int detached_mount(const char *type, unsigned int attrs) {
  int fs = fsopen(type, FSOPEN_CLOEXEC);
  if (fs < 0) die("mount", errno, "fsopen %s", type);
  if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) != 0) die("mount", errno, "create %s", type);
  int mnt = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
  if (mnt < 0) die("mount", errno, "mount %s", type);
  close(fs);
  return mnt;
}

/*
 * Where the kernel refuses a new proc to a user namespace (a container runtime masked paths of
 * its /proc, so no fully visible proc exists: issue 12's mode D, a non-root user in docker run),
 * the container gets a recursive bind of this process's /proc, masks included, and shares its
 * PID namespace, so that getpid() and /proc/self agree (BuildKit's withBoundProc for
 * --oci-worker-no-process-sandbox). sysfs is refused for the same reason: /sys is bound too.
 */
static int bind_kernel_fs(const char *path) {
  int fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (fd < 0) die("mount", errno, "open_tree %s to bind it", path);
  struct mount_attr attr = {0};
  attr.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
  if (strcmp(path, "/sys") == 0) attr.attr_set |= MOUNT_ATTR_RDONLY;
  if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0)
    die("mount", errno, "restrict the bind of %s", path);
  return fd;
}

static void open_userns_sources(struct spec *s) {
  s->proc_fd = -1;
  s->sys_fd = -1;
  if (!s->userns) return;
  if (s->bound_proc) {
    s->proc_fd = bind_kernel_fs("/proc");
    s->sys_fd = bind_kernel_fs("/sys");
  } else {
    s->proc_fd = detached_mount("proc", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODEV);
  }
  if (!s->host_network && !s->bound_proc)
    s->sys_fd = detached_mount("sysfs", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODEV |
                                            MOUNT_ATTR_RDONLY);
  for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++) {
    struct stat st;
    const char *name = default_devices[i].name;
    if (stat(name, &st) != 0) die("mount", errno, "stat the host's %s to bind it", name);
    if (!S_ISCHR(st.st_mode) ||
        st.st_rdev != makedev(default_devices[i].major, default_devices[i].minor))
      die("mount", 0, "the host's %s is not the expected device node to bind", name);
    s->device_fds[i] = open_tree(AT_FDCWD, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (s->device_fds[i] < 0) die("mount", errno, "open_tree %s", name);
  }
  if (!s->host_network || s->bound_proc) return;
  s->sys_fd = open_tree(AT_FDCWD, "/sys", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (s->sys_fd < 0) die("mount", errno, "open_tree /sys");
  struct mount_attr attr = {0};
  attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
  if (mount_setattr(s->sys_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0)
    die("mount", errno, "make the bind of /sys read-only");
}

static void setup_dev(const struct spec *s) {
  mount_point("/dev", true);
  mount_fs("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
  for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++) {
    const char *name = default_devices[i].name;
    if (s->userns) {
      int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd < 0) die("mount", errno, "create the mount point %s", name);
      close(fd);
      if (move_mount(s->device_fds[i], "", AT_FDCWD, name, MOVE_MOUNT_F_EMPTY_PATH) != 0)
        die("mount", errno, "bind the host's %s", name);
      close(s->device_fds[i]);
      continue;
    }
    if (mknod(name, S_IFCHR | 0666,
              makedev(default_devices[i].major, default_devices[i].minor)) != 0)
      die("mount", errno, "mknod %s", name);
    if (chmod(name, 0666) != 0) die("mount", errno, "chmod %s", name);
  }
  if (mkdir("/dev/pts", 0755) != 0) die("mount", errno, "mkdir /dev/pts");
  /* gid=5 (tty) is refused where gid 5 is not mapped into our user namespace; runc's
   * rootless spec (specconv.ToRootless) drops it then, and so do we. */
  if (!s->userns || mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                          "newinstance,ptmxmode=0666,mode=0620,gid=5") != 0)
    mount_fs("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
             s->userns && errno == EINVAL ? "newinstance,ptmxmode=0666,mode=0620"
                                          : "newinstance,ptmxmode=0666,mode=0620,gid=5");
  if (symlink("pts/ptmx", "/dev/ptmx") != 0) die("mount", errno, "symlink /dev/ptmx");
  if (mkdir("/dev/shm", 01777) != 0) die("mount", errno, "mkdir /dev/shm");
  char shm_options[64];
  /* docker build --shm-size; docker's default is 64 MiB. */
  snprintf(shm_options, sizeof shm_options, "mode=1777,size=%llu",
           s->shm_size ? s->shm_size : 65536ULL * 1024);
  mount_fs("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, shm_options);
  if (mkdir("/dev/mqueue", 0755) != 0) die("mount", errno, "mkdir /dev/mqueue");
  mount_fs("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
  static const char *links[][2] = {{"/proc/self/fd", "/dev/fd"},
                                   {"/proc/self/fd/0", "/dev/stdin"},
                                   {"/proc/self/fd/1", "/dev/stdout"},
                                   {"/proc/self/fd/2", "/dev/stderr"}};
  for (size_t i = 0; i < 4; i++)
    if (symlink(links[i][0], links[i][1]) != 0) die("mount", errno, "symlink %s", links[i][1]);
}

static void setup_bind_mounts(const struct spec *s) {
  for (size_t i = 0; i < s->mount_count; i++) {
    const struct bind_mount *m = &s->mounts[i];
    if (m->tmpfs) {
      /* BuildKit's tmpfs mount: nosuid, size= when given (testMountTmpfsSize reads it back
       * from mount(8) as size=131072k), in order with the bind mounts. */
      char target[PATH_MAX], opts[64] = "";
      resolve_final_symlinks(m->target, target, sizeof target);
      mount_point(target, true);
      if (m->tmpfs_size) snprintf(opts, sizeof opts, "size=%luk", (m->tmpfs_size + 1023) / 1024);
      mount_fs("tmpfs", target, "tmpfs", MS_NOSUID | (s->restrict_devices ? MS_NODEV : 0),
               opts[0] ? opts : NULL);
      continue;
    }
    struct stat st;
    if (fstat(m->tree_fd, &st) != 0) die("mount bind", errno, "stat %s", m->source);
    /* Mounting over a symlink would follow it at mount time anyway; resolving it ourselves lets
     * us create a missing target (e.g. resolv.conf -> ../run/...) at the right place. */
    char target[PATH_MAX];
    resolve_final_symlinks(m->target, target, sizeof target);
    mount_point(target, S_ISDIR(st.st_mode));
    if (move_mount(m->tree_fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) != 0)
      die("mount bind", errno, "mount %s on %s", m->source, m->target);
    close(m->tree_fd);
  }
}

/*
 * Secrets never touch a disk: each is written to a small private tmpfs (BuildKit's secret mount
 * options: nodev,nosuid,noexec,mode=0700; solver/llbsolver/mounts/mount.go), mounted for a
 * moment on the still-empty rootfs dir of this private mount namespace, and a read-only clone
 * of each file is kept. The staging mount is then detached, so nothing but those clones (and
 * the mount namespace holding them) keeps the tmpfs alive: it is freed when the container ends,
 * however it ends. Runs before the overlay is mounted on the same dir.
 */
static void stage_secrets(struct spec *s) {
  size_t files = 0, bytes = 0;
  for (size_t i = 0; i < s->secret_count; i++) {
    if (!s->secrets[i].target) continue;
    files++;
    bytes += (s->secrets[i].len + 4095) / 4096 * 4096;
  }
  if (files == 0) return;
  char opts[128];
  snprintf(opts, sizeof opts, "mode=0700,size=%zu,nr_inodes=%zu", bytes + 65536, files + 16);
  mount_fs("tmpfs", s->rootfs, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts);
  for (size_t i = 0; i < s->secret_count; i++) {
    struct secret *sec = &s->secrets[i];
    if (!sec->target) continue;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%zu", s->rootfs, i);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) die("mount secret", errno, "create the file for secret %s", sec->target);
    if (!write_all(fd, (const char *)sec->data, (ssize_t)sec->len))
      die("mount secret", errno, "write secret %s", sec->target);
    if (fchown(fd, sec->uid, sec->gid) != 0)
      die("mount secret", errno, "chown secret %s", sec->target);
    if (fchmod(fd, sec->mode) != 0) die("mount secret", errno, "chmod secret %s", sec->target);
    close(fd);
    sec->tree_fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (sec->tree_fd < 0) die("mount secret", errno, "clone the mount of secret %s", sec->target);
    struct mount_attr attr = {0};
    attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
    if (mount_setattr(sec->tree_fd, "", AT_EMPTY_PATH, &attr, sizeof attr) != 0)
      die("mount secret", errno, "make secret %s read-only", sec->target);
  }
  if (umount2(s->rootfs, MNT_DETACH) != 0) die("mount secret", errno, "detach the secrets' tmpfs");
  wipe_secrets(s, false);
}

/* After the user's bind mounts, so a secret may land inside one (as with BuildKit). */
static void mount_secrets(const struct spec *s) {
  for (size_t i = 0; i < s->secret_count; i++) {
    const struct secret *sec = &s->secrets[i];
    if (!sec->target) continue;
    char target[PATH_MAX];
    resolve_final_symlinks(sec->target, target, sizeof target);
    mount_point(target, false);
    if (move_mount(sec->tree_fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) != 0)
      die("mount secret", errno, "mount secret on %s", sec->target);
    close(sec->tree_fd);
  }
}

/* Same lists as runc/containerd defaults (docs/runner.md §2 "Masked paths"). */
static const char *const masked_paths[] = {
    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
    "/sys/firmware", "/sys/devices/virtual/powercap"};
static const char *const readonly_paths[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                             "/proc/sysrq-trigger"};

static void mask_paths(void) {
  for (size_t i = 0; i < sizeof masked_paths / sizeof masked_paths[0]; i++) {
    struct stat st;
    if (stat(masked_paths[i], &st) != 0) continue; /* not present on this kernel */
    if (S_ISDIR(st.st_mode))
      mount_fs("tmpfs", masked_paths[i], "tmpfs", MS_RDONLY, "nr_blocks=1,nr_inodes=1");
    else
      mount_fs("/dev/null", masked_paths[i], NULL, MS_BIND, NULL);
  }
  for (size_t i = 0; i < sizeof readonly_paths / sizeof readonly_paths[0]; i++) {
    const char *p = readonly_paths[i];
    struct stat st;
    if (stat(p, &st) != 0) continue;
    mount_fs(p, p, NULL, MS_BIND | MS_REC, NULL);
    /* A bind remount must restate the flags it keeps, or it would clear nosuid/noexec/nodev. */
    struct statvfs sv;
    if (statvfs(p, &sv) != 0) die("mount", errno, "statvfs %s", p);
    unsigned long keep = 0;
    if (sv.f_flag & ST_NOSUID) keep |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) keep |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) keep |= MS_NOEXEC;
    mount_fs(p, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL);
  }
}

/*
 * /sys/fs/cgroup, read-only, as BuildKit mounts it. We are already in a cgroup namespace rooted
 * at the container's own cgroups, so each hierarchy shows only the container's subtree. A single
 * entry with an empty target is a unified (v2) host: cgroup2 right on /sys/fs/cgroup. Otherwise a
 * tmpfs holds one directory per hierarchy, as on the host, and is made read-only afterwards.
 */
static void setup_cgroup_mounts(const struct spec *s) {
  if (s->cgroup_mount_count == 0) return;
  const unsigned long ro = MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY;
  if (s->cgroup_mount_count == 1 && s->cgroup_mounts[0].target[0] == '\0') {
    mount_fs(s->cgroup_mounts[0].type, "/sys/fs/cgroup", s->cgroup_mounts[0].type, ro,
             s->cgroup_mounts[0].data);
    return;
  }
  mount_fs("tmpfs", "/sys/fs/cgroup", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=755");
  for (size_t i = 0; i < s->cgroup_mount_count; i++) {
    const struct cgroup_mount *m = &s->cgroup_mounts[i];
    char path[PATH_MAX];
    snprintf(path, sizeof path, "/sys/fs/cgroup/%s", m->target);
    if (mkdir(path, 0555) != 0) die("mount", errno, "mkdir %s", path);
    mount_fs(m->type, path, m->type, ro, m->data);
  }
  mount_fs(NULL, "/sys/fs/cgroup", NULL, MS_REMOUNT | MS_BIND | ro, NULL);
}

static void setup_mounts(struct spec *s) {
  /* Nothing we mount may propagate back to the host (and pivot_root refuses shared parents). */
  mount_fs(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
  stage_secrets(s);
  mount_overlay(s);
  open_bind_sources(s);
  open_userns_sources(s);
  enter_rootfs(s);
  /* From here on every path resolves inside the container root, so symlinks in the image
   * cannot point our mounts or stub files at the host. */
  mount_point("/proc", true);
  if (s->proc_fd >= 0) {
    if (move_mount(s->proc_fd, "", AT_FDCWD, "/proc", MOVE_MOUNT_F_EMPTY_PATH) != 0)
      die("mount", errno, "mount proc on /proc");
    close(s->proc_fd);
  } else {
    mount_fs("proc", "/proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
  }
  setup_dev(s);
  mount_point("/sys", true);
  if (s->sys_fd >= 0) {
    if (move_mount(s->sys_fd, "", AT_FDCWD, "/sys", MOVE_MOUNT_F_EMPTY_PATH) != 0)
      die("mount", errno, "mount sysfs on /sys");
    close(s->sys_fd);
  } else {
    mount_fs("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL);
  }
  setup_cgroup_mounts(s);
  setup_bind_mounts(s);
  mount_secrets(s);
  mask_paths();
}

/* ------------------------------------------------------------------------------------------ */
/* Stage 1: network, hostname                                                                 */
/* ------------------------------------------------------------------------------------------ */

/* A new network namespace starts with lo DOWN; raise it so localhost works (runc "loopback"). */
static void loopback_up(void) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("network", errno, "socket");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) die("network", errno, "get flags of lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0) die("network", errno, "bring lo up");
  close(fd);
}

/* ------------------------------------------------------------------------------------------ */
/* Stage 1: user lookup in the container's own /etc/passwd and /etc/group                     */
/* ------------------------------------------------------------------------------------------ */

struct exec_user {
  uid_t uid;
  gid_t gid;
  gid_t groups[NGROUPS_MAX > 1024 ? 1024 : NGROUPS_MAX];
  size_t group_count;
  char name[256]; /* passwd name, if found */
  char home[PATH_MAX];
};

static bool parse_id(const char *s, unsigned long *out) {
  if (!*s) return false;
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (*end || errno || v > 0xFFFFFFFEul || !isdigit((unsigned char)s[0])) return false;
  *out = v;
  return true;
}

/* Splits a colon-separated line in place into at most max fields; returns the field count. */
static int split_fields(char *line, char **fields, int max) {
  int n = 0;
  fields[n++] = line;
  for (char *p = line; *p && n < max; p++)
    if (*p == ':') {
      *p = '\0';
      fields[n++] = p + 1;
    }
  return n;
}

/* Looks name-or-uid up in /etc/passwd; returns false if there is no file or no match. */
static bool find_passwd(const char *want, bool numeric, unsigned long uid, struct exec_user *u) {
  FILE *f = fopen("/etc/passwd", "re");
  if (!f) return false;
  char line[4096];
  bool found = false;
  while (!found && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    char *fld[7];
    if (split_fields(line, fld, 7) < 7 || line[0] == '#') continue;
    unsigned long fuid, fgid;
    if (!parse_id(fld[2], &fuid) || !parse_id(fld[3], &fgid)) continue;
    if (numeric ? fuid == uid : strcmp(fld[0], want) == 0) {
      u->uid = (uid_t)fuid;
      u->gid = (gid_t)fgid;
      snprintf(u->name, sizeof u->name, "%s", fld[0]);
      snprintf(u->home, sizeof u->home, "%s", fld[5]);
      found = true;
    }
  }
  fclose(f);
  return found;
}

/* Resolves an explicit group name or gid, or (want == NULL) collects supplementary groups. */
static bool scan_groups(const char *want, struct exec_user *u) {
  FILE *f = fopen("/etc/group", "re");
  if (!f) return false;
  char line[65536];
  bool found = false;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    char *fld[4];
    if (split_fields(line, fld, 4) < 4 || line[0] == '#') continue;
    unsigned long gid;
    if (!parse_id(fld[2], &gid)) continue;
    if (want) {
      if (strcmp(fld[0], want) == 0) {
        u->gid = (gid_t)gid;
        found = true;
        break;
      }
      continue;
    }
    /* Supplementary groups: every group listing the user's name as a member. */
    for (char *m = strtok(fld[3], ","); m; m = strtok(NULL, ",")) {
      if (u->name[0] && strcmp(m, u->name) == 0 &&
          u->group_count < sizeof u->groups / sizeof u->groups[0]) {
        u->groups[u->group_count++] = (gid_t)gid;
        break;
      }
    }
  }
  fclose(f);
  return found;
}

/*
 * "name|uid[:group|gid]", with the rules of runc's GetExecUser (which BuildKit uses): a name must
 * exist in /etc/passwd, a numeric uid need not; supplementary groups come from /etc/group only
 * when no group was given, and always include the primary group. An empty user means "0", and a lookup failure for it is not an error.
 */
static void resolve_user(const char *spec_user, struct exec_user *u) {
  bool is_default = spec_user[0] == '\0';
  char buf[512];
  snprintf(buf, sizeof buf, "%s", is_default ? "0" : spec_user);
  char *group = strchr(buf, ':');
  if (group) *group++ = '\0';
  memset(u, 0, sizeof *u);
  strcpy(u->home, "/");

  unsigned long id;
  bool numeric = parse_id(buf, &id);
  if (!find_passwd(buf, numeric, numeric ? id : 0, u)) {
    if (!numeric) die("user", ENOENT, "unable to find user %s: no matching entries in passwd file", buf);
    u->uid = (uid_t)id;
    u->gid = 0;
  }
  if (group && *group) {
    if (parse_id(group, &id)) u->gid = (gid_t)id;
    else if (!scan_groups(group, u))
      die("user", ENOENT, "unable to find group %s: no matching entries in group file", group);
  } else {
    scan_groups(NULL, u);
  }
  /* The primary group is always a supplementary group too: containerd's fix for CVE-2023-25173
   * (ensureAdditionalGids), which BuildKit copies in executor/oci/user.go, so a process keeps
   * its group's access after a setgid drop; BuildKit's testUser pins root's `id -G` as 0 10. */
  bool listed = false;
  for (size_t i = 0; i < u->group_count; i++) listed |= u->groups[i] == u->gid;
  if (!listed) {
    size_t max = sizeof u->groups / sizeof u->groups[0];
    size_t keep = u->group_count < max ? u->group_count : max - 1;
    memmove(&u->groups[1], &u->groups[0], keep * sizeof u->groups[0]);
    u->groups[0] = u->gid;
    u->group_count = keep + 1;
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Stage 2: privileges and exec                                                               */
/* ------------------------------------------------------------------------------------------ */

/* Docker's default seccomp profile as an allow list; the filter itself is in seccomp.c. */
static void install_seccomp(void) {
  char why[256];
  int err = seccomp_install_default(why, sizeof why);
  if (err) die("seccomp", err, "%s", why);
}

/* Docker's default capability set (containerd defaultUnixCaps). */
static const int default_caps[] = {CAP_CHOWN,      CAP_DAC_OVERRIDE,     CAP_FSETID,
                                   CAP_FOWNER,     CAP_MKNOD,            CAP_NET_RAW,
                                   CAP_SETGID,     CAP_SETUID,           CAP_SETFCAP,
                                   CAP_SETPCAP,    CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
                                   CAP_KILL,       CAP_AUDIT_WRITE};

/* Set by stage 0 before the clone when no device policy applies; stage 2 then lacks CAP_MKNOD. */
static bool drop_mknod = false;

static bool is_default_cap(int cap) {
  if (cap == CAP_MKNOD && drop_mknod) return false;
  for (size_t i = 0; i < sizeof default_caps / sizeof default_caps[0]; i++)
    if (default_caps[i] == cap) return true;
  return false;
}

static void drop_bounding_set(void) {
  /* The loop ends where the kernel's capability list ends (EINVAL). */
  for (int cap = 0; cap < 64; cap++) {
    if (is_default_cap(cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
      if (errno == EINVAL) break;
      die("capabilities", errno, "drop capability %d from the bounding set", cap);
    }
  }
}

/* After the uid change (KEEPCAPS kept the permitted set): the 14 defaults as effective and
 * permitted. The inheritable set stays empty (moby since CVE-2022-24769), so for a non-root user
 * execve clears them again, as in Docker. */
static void set_capabilities(void) {
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  for (size_t i = 0; i < sizeof default_caps / sizeof default_caps[0]; i++) {
    int c = default_caps[i];
    if (!is_default_cap(c)) continue;
    data[c / 32].effective |= 1u << (c % 32);
    data[c / 32].permitted |= 1u << (c % 32);
  }
  if (syscall(SYS_capset, &hdr, data) != 0) die("capabilities", errno, "capset");
}

/* Changes to the target user while keeping the capabilities we drop to explicitly afterwards. */
static void switch_user(const struct exec_user *u) {
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) die("user", errno, "PR_SET_KEEPCAPS");
  if (setgroups(u->group_count, u->groups) != 0) die("user", errno, "setgroups");
  if (setresgid(u->gid, u->gid, u->gid) != 0) die("user", errno, "setresgid %u", u->gid);
  if (setresuid(u->uid, u->uid, u->uid) != 0) die("user", errno, "setresuid %u", u->uid);
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) die("user", errno, "clear PR_SET_KEEPCAPS");
}

static const char *env_lookup(char **env, const char *key) {
  size_t n = strlen(key);
  for (char **e = env; *e; e++)
    if (strncmp(*e, key, n) == 0 && (*e)[n] == '=') return *e + n + 1;
  return NULL;
}

/* Like execvpe, but searches the container's PATH (from the spec env), not the helper's. */
__attribute__((noreturn)) static void exec_command(char **args, char **env) {
  const char *cmd = args[0];
  int err = ENOENT;
  if (strchr(cmd, '/')) {
    execve(cmd, args, env);
    err = errno;
  } else {
    const char *path = env_lookup(env, "PATH");
    if (!path) path = DEFAULT_PATH;
    bool saw_eacces = false;
    const char *p = path;
    for (;;) {
      const char *colon = strchr(p, ':');
      size_t dlen = colon ? (size_t)(colon - p) : strlen(p);
      char full[PATH_MAX];
      /* An empty PATH element means the current directory, as in POSIX execvp. */
      snprintf(full, sizeof full, "%.*s%s%s", (int)dlen, dlen ? p : ".", "/", cmd);
      execve(full, args, env);
      if (errno == EACCES) saw_eacces = true;
      else if (errno != ENOENT && errno != ENOTDIR) {
        err = errno;
        break;
      }
      if (!colon) break;
      p = colon + 1;
    }
    if (saw_eacces && err == ENOENT) err = EACCES;
  }
  report_error("exec", err, "exec %s", cmd);
  _exit(err == ENOENT || err == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE);
}

/* Adds HOME from passwd when the spec env has none, as runc does (libcontainer/env.go). */
static char **final_env(const struct spec *s, const struct exec_user *u) {
  char **env = xmalloc((s->env_count + 2) * sizeof *env);
  memcpy(env, s->env, s->env_count * sizeof *env);
  size_t n = s->env_count;
  env[n] = NULL;
  if (!env_lookup(env, "HOME")) {
    size_t len = strlen(u->home) + 6;
    env[n] = xmalloc(len);
    snprintf(env[n], len, "HOME=%s", u->home);
    env[++n] = NULL;
  }
  return env;
}

static void attach_terminal(const char *slave, uid_t uid);

__attribute__((noreturn)) static void stage2(const struct spec *s, const struct exec_user *u) {
  /* PID 1 blocks the signals it forwards; the command must start with a clean mask. */
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  if (s->tty) attach_terminal(s->tty_slave, u->uid);
  /* Installed while we still hold CAP_SYS_ADMIN, so no_new_privs stays optional (as in runc);
   * the filter denies nothing the remaining setup needs. */
  /* Before the user switch: raising a hard limit needs CAP_SYS_RESOURCE (as runc's init). */
  for (size_t i = 0; i < s->rlimit_count; i++)
    if (setrlimit(s->rlimits[i].resource, &s->rlimits[i].value) != 0)
      die("rlimit", errno, errno == EPERM
          ? "set the %s limit above this process's hard limit (needs CAP_SYS_RESOURCE)"
          : "set the %s limit", s->rlimits[i].name);
  if (s->seccomp) install_seccomp();
  /* The bounding set can only be changed while CAP_SETPCAP is effective, i.e. before setuid. */
  drop_bounding_set();
  switch_user(u);
  set_capabilities();
  /* A change of credentials clears PDEATHSIG; as PID 1 the command must still die with
   * stage 0 (as a forked PID 2 it dies with PID 1 instead). */
  if (getpid() == 1 && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
    die("init", errno, "PR_SET_PDEATHSIG");
  if (s->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    die("no_new_privs", errno, "PR_SET_NO_NEW_PRIVS");
  if (chdir(s->cwd) != 0) die("cwd", errno, "chdir %s", s->cwd);
  exec_command(s->args, final_env(s, u));
}

/* ------------------------------------------------------------------------------------------ */
/* Stage 1: PID 1                                                                             */
/* ------------------------------------------------------------------------------------------ */

static const int forwarded_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

/*
 * Why a separate PID 1 instead of exec'ing the command as PID 1 (as BuildKit does): a command
 * running as PID 1 gets no default signal actions (SIGTERM would be ignored) and must reap
 * orphans itself, which shells and build tools do not. Like tini, bwrap and Bazel's pid1 we stay
 * as PID 1, forward termination signals, reap every zombie, and exit with the command's status
 * (128+signal if it was killed); the kernel then kills whatever is left in the namespace.
 * We make ourselves non-dumpable so the container cannot open /proc/1/exe (CVE-2019-5736).
 */
/* Ends PID 1 with the command's wait status. */
__attribute__((noreturn)) static void pid1_exit(int status) {
  if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
  /* Our own exit code cannot tell "killed by 9" from "exit 137", so say it explicitly. */
  char line[64];
  snprintf(line, sizeof line, "{\"killed\":%d}\n", WTERMSIG(status));
  status_line(line);
  _exit(128 + WTERMSIG(status));
}

static void pid1_signal_set(sigset_t *set) {
  sigemptyset(set);
  sigaddset(set, SIGCHLD);
  sigaddset(set, SIGWINCH);
  for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
    sigaddset(set, forwarded_signals[i]);
}

/* Reaps every exited child; returns true and sets *status once the command itself is gone. */
static bool reap(pid_t command, int *status) {
  bool done = false;
  int st;
  pid_t pid;
  while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
    if (pid == command) {
      *status = st;
      done = true;
    }
  }
  return done;
}

__attribute__((noreturn)) static void pid1_reap(pid_t command) {
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) die("init", errno, "PR_SET_DUMPABLE");
  sigset_t set;
  pid1_signal_set(&set);
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&set, &info);
    if (sig < 0 || sig == SIGWINCH) continue; /* EINTR; no terminal to resize */
    if (sig != SIGCHLD) {
      kill(command, sig);
      continue;
    }
    int status = 0;
    if (reap(command, &status)) pid1_exit(status);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Pseudo-terminal (jbuild run -t): PID 1 owns the master and relays it to our stdin/stdout.  */
/* ------------------------------------------------------------------------------------------ */

static void copy_window_size(int from, int to) {
  struct winsize ws;
  if (ioctl(from, TIOCGWINSZ, &ws) == 0) ioctl(to, TIOCSWINSZ, &ws);
}

/* Opens a pty in the container's own devpts instance; its slave path goes to stage 2. */
static int open_pty(struct spec *s) {
  int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) die("tty", errno, "open /dev/pts/ptmx");
  int unlock = 0, n;
  if (ioctl(master, TIOCSPTLCK, &unlock) != 0) die("tty", errno, "unlock the pty");
  if (ioctl(master, TIOCGPTN, &n) != 0) die("tty", errno, "get the pty number");
  snprintf(s->tty_slave, sizeof s->tty_slave, "/dev/pts/%d", n);
  if (isatty(STDIN_FILENO)) copy_window_size(STDIN_FILENO, master);
  else if (isatty(STDOUT_FILENO)) copy_window_size(STDOUT_FILENO, master);
  return master;
}

/* Stage 2: a new session whose controlling terminal is the pty slave, on fds 0-2. */
static void attach_terminal(const char *slave, uid_t uid) {
  if (setsid() < 0) die("tty", errno, "setsid");
  int fd = open(slave, O_RDWR);
  if (fd < 0) die("tty", errno, "open %s", slave);
  if (ioctl(fd, TIOCSCTTY, 0) != 0) die("tty", errno, "make %s the controlling terminal", slave);
  if (uid != 0 && fchown(fd, uid, (gid_t)-1) != 0) die("tty", errno, "chown %s", slave);
  for (int i = 0; i < 3; i++)
    if (dup2(fd, i) < 0) die("tty", errno, "dup2 the terminal");
  if (fd > 2) close(fd);
}

static bool write_all(int fd, const char *buf, ssize_t n) {
  while (n > 0) {
    ssize_t w = write(fd, buf, (size_t)n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    buf += w;
    n -= w;
  }
  return true;
}

__attribute__((noreturn)) static void pid1_relay(pid_t command, int master) {
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) die("init", errno, "PR_SET_DUMPABLE");
  sigset_t set;
  pid1_signal_set(&set);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0) die("tty", errno, "signalfd");
  bool stdin_open = true, exited = false;
  int status = 0;
  char buf[16384];
  for (;;) {
    struct pollfd fds[3] = {{sfd, POLLIN, 0}, {master, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    /* Once the command is gone, only drain what it left in the pty. */
    int timeout = exited ? 0 : -1;
    int n = poll(fds, stdin_open && !exited ? 3 : 2, timeout);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("tty", errno, "poll");
    if (n == 0) pid1_exit(status); /* drained */
    if (fds[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGWINCH) copy_window_size(STDIN_FILENO, master);
        else if (si.ssi_signo != SIGCHLD) kill(command, (int)si.ssi_signo);
        else if (reap(command, &status)) exited = true;
      }
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = read(master, buf, sizeof buf);
      if (r > 0) {
        write_all(STDOUT_FILENO, buf, r);
      } else if (r < 0 && errno == EINTR) {
        continue;
      } else {
        /* EIO: every slave fd is closed. The command may still be running without a terminal. */
        if (exited) pid1_exit(status);
        for (;;) {
          int st;
          pid_t pid = waitpid(-1, &st, 0);
          if (pid == command) pid1_exit(st);
          if (pid < 0 && errno != EINTR) pid1_exit(status);
        }
      }
    }
    if (!exited && stdin_open && (fds[2].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t r = read(STDIN_FILENO, buf, sizeof buf);
      if (r > 0) write_all(master, buf, r);
      else if (!(r < 0 && errno == EINTR)) stdin_open = false;
    }
  }
}

struct stage1_args {
  struct spec *spec;
  int release_fd; /* read end of the pipe on which stage 0 releases us */
  int release_write_fd; /* its write end, which we must close or we would never see EOF */
};

/* ------------------------------------------------------------------------------------------ */
/* In-place mode: no namespaces, no mounts (root in an unprivileged container, as Kaniko runs) */
/* ------------------------------------------------------------------------------------------ */

/* /proc/self/task/<tid>/children of stage 1, opened before a chroot hides /proc. */
static int inplace_children_fd = -1;

/*
 * Stage 1 of an in-place run stays a plain process (it cannot be PID 1 of anything). It becomes a
 * child subreaper, so the command's orphans (daemons a RUN step starts) are reparented to it and
 * can be killed when the command ends, as a PID namespace's end would kill them.
 */
static void become_subreaper(void) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
    die("inplace", errno, "PR_SET_CHILD_SUBREAPER");
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%ld/children", (long)syscall(SYS_gettid));
  inplace_children_fd = open(path, O_RDONLY | O_CLOEXEC);
}

static void enter_inplace_root(const struct spec *s) {
  become_subreaper();
  if (strcmp(s->inplace_root, "/") != 0) {
    if (chroot(s->inplace_root) != 0) die("inplace", errno, "chroot %s", s->inplace_root);
  }
  if (chdir("/") != 0) die("inplace", errno, "chdir /");
}

/*
 * Kills every child we have (the command's orphans) until none is left, reaping them. One reap
 * per round and a fresh look at the children after it: a killed child's own children are
 * reparented to us (we are their subreaper) and must be killed before we wait again, or a wait
 * for "any child" would block on them forever.
 */
static void inplace_kill_orphans(void) {
  for (;;) {
    char buf[4096];
    ssize_t n = inplace_children_fd < 0 ? -1 : pread(inplace_children_fd, buf, sizeof buf - 1, 0);
    if (n <= 0) break;
    buf[n] = '\0';
    for (char *p = buf; *p;) {
      char *end;
      long pid = strtol(p, &end, 10);
      if (end == p) break;
      if (pid > 0) kill((pid_t)pid, SIGKILL);
      p = end;
    }
    /* Zombies stay listed until reaped, so every listed child makes this return. */
    if (waitpid(-1, NULL, 0) < 0 && errno != EINTR) break;
  }
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

/*
 * Waits for the command like PID 1 does, then kills what it left and exits with its status.
 * Without a PID namespace nothing else would end the step's processes if rrun died: a SIGKILL of
 * rrun (or of the JVM, whose death kills rrun) would reparent them to the container's init. So
 * stage 1 also watches parent_fd, the read end of a pipe whose write end only stage 0 holds: EOF
 * there means stage 0 is gone, and stage 1 kills the command and every descendant, then exits.
 * (PR_SET_PDEATHSIG alone would not do: its SIGKILL would end stage 1 before it could clean up.)
 */
__attribute__((noreturn)) static void inplace_reap(pid_t command, int parent_fd) {
  sigset_t set;
  pid1_signal_set(&set);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0) {
    kill(command, SIGKILL);
    inplace_kill_orphans();
    die("init", errno, "signalfd");
  }
  for (;;) {
    struct pollfd fds[2] = {{sfd, POLLIN, 0}, {parent_fd, POLLIN, 0}};
    int n = poll(fds, parent_fd < 0 ? 1 : 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || (parent_fd >= 0 && fds[1].revents)) {
      /* Stage 0 died (or we cannot watch it any more): nobody would wait for the step. */
      kill(command, SIGKILL);
      inplace_kill_orphans();
      _exit(128 + SIGKILL);
    }
    if (!(fds[0].revents & POLLIN)) continue;
    struct signalfd_siginfo si;
    if (read(sfd, &si, sizeof si) != (ssize_t)sizeof si) continue;
    int sig = (int)si.ssi_signo;
    if (sig == SIGWINCH) continue;
    if (sig != SIGCHLD) {
      kill(command, sig);
      continue;
    }
    int status = 0;
    if (reap(command, &status)) {
      inplace_kill_orphans();
      pid1_exit(status);
    }
  }
}

static int stage1(void *arg) {
  struct stage1_args *a = arg;
  struct spec *s = a->spec;
  /* Without a PID namespace stage 1 must outlive stage 0 long enough to kill the step's
   * processes: it watches the release pipe instead (inplace_reap). Otherwise PDEATHSIG, cleared
   * by clone, is set again so stage 0's death kills the container (PID 1 first). */
  bool watch_parent = s->inplace_root || s->bound_proc;
  if (!watch_parent && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
    die("init", errno, "PR_SET_PDEATHSIG");
  close(a->release_write_fd);
  /* Stage 0 writes one byte once we are in our cgroups. EOF without it means stage 0 failed
   * (and reported why) or died before we had set PDEATHSIG. */
  char c;
  ssize_t r;
  while ((r = read(a->release_fd, &c, 1)) < 0 && errno == EINTR) {
  }
  if (r != 1) _exit(EXIT_SETUP_FAILED);
  /* Kept open without a PID namespace: its EOF tells us stage 0 died (inplace_reap). */
  int parent_fd = watch_parent ? a->release_fd : -1;
  if (!watch_parent) close(a->release_fd);
  /* Stage 0 has put us in our cgroups: a cgroup namespace now makes them the visible root. */
  if (s->cgroup_namespace && unshare(CLONE_NEWCGROUP) != 0)
    die("cgroup", errno, "unshare the cgroup namespace");

  if (s->inplace_root) {
    enter_inplace_root(s);
  } else {
    /* No PID namespace: stage 1 is a plain process that reaps and kills like in-place mode. */
    if (s->bound_proc) become_subreaper();
    setup_mounts(s);
    if (sethostname(s->hostname, strlen(s->hostname)) != 0)
      die("hostname", errno, "sethostname %s", s->hostname);
    if (!s->host_network) loopback_up();
  }
  umask(022);

  struct exec_user u;
  resolve_user(s->user, &u);
  /* A missing working directory is created (as runc does) and belongs to the user. */
  create_path(s->cwd, true, 0755, false, u.uid, u.gid);

  /* BuildKit and docker run (without --init) make the command PID 1: stage 2 then runs here.
   * Nothing is lost: when PID 1 exits the kernel kills the rest of the namespace, PDEATHSIG
   * (set again in stage 2 after the user switch, which clears it) still ties it to stage 0,
   * and stage 0 reports its wait status. Without a PID namespace we must stay to kill. */
  if (s->command_is_pid1 && !s->tty && !s->inplace_root && !s->bound_proc) stage2(s, &u);

  int master = s->tty ? open_pty(s) : -1;

  /* Block the signals we forward before forking, so none is lost in between. */
  sigset_t set;
  pid1_signal_set(&set);
  sigprocmask(SIG_BLOCK, &set, NULL);
  pid_t command = fork();
  if (command < 0) die("init", errno, "fork the command");
  if (command == 0) stage2(s, &u);
  if (master >= 0) pid1_relay(command, master);
  if (s->inplace_root) inplace_reap(command, parent_fd);
  if (s->bound_proc) {
    /* The command sees this process in its /proc: keep /proc/<pid>/exe and mem from it. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) die("init", errno, "PR_SET_DUMPABLE");
    inplace_reap(command, parent_fd);
  }
  pid1_reap(command);
}

/* ------------------------------------------------------------------------------------------ */
/* Stage 0: the eBPF device program (cgroup2 has no devices.allow)                            */
/* ------------------------------------------------------------------------------------------ */

/*
 * Ported from runc's libcontainer/cgroups/devices/devicefilter.go (written anew here): the program
 * sees a struct bpf_cgroup_dev_ctx {u32 access_type (access << 16 | type); u32 major, minor} and
 * returns 1 to allow. Prelude: r2 = type, r3 = access, r4 = major, r5 = minor. Then one block per
 * allow rule, each jumping to the next block on the first mismatch; falling off the end denies.
 */
static struct bpf_insn bpf_insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  struct bpf_insn i;
  memset(&i, 0, sizeof i);
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

/* Parses a v1 rule "c 1:3 rwm" ("*" for any number); false if malformed. */
static bool parse_device_rule(const char *text, int *type, long *major, long *minor,
                              int *access) {
  char t, maj[16], min[16], acc[8];
  char extra;
  if (sscanf(text, "%c %15[0-9*]:%15[0-9*] %7[rwm]%c", &t, maj, min, acc, &extra) != 4)
    return false;
  if (t == 'a') *type = 0;
  else if (t == 'b') *type = BPF_DEVCG_DEV_BLOCK;
  else if (t == 'c') *type = BPF_DEVCG_DEV_CHAR;
  else return false;
  *major = strcmp(maj, "*") == 0 ? -1 : strtol(maj, NULL, 10);
  *minor = strcmp(min, "*") == 0 ? -1 : strtol(min, NULL, 10);
  *access = 0;
  for (const char *a = acc; *a; a++)
    *access |= *a == 'r'   ? BPF_DEVCG_ACC_READ
               : *a == 'w' ? BPF_DEVCG_ACC_WRITE
                           : BPF_DEVCG_ACC_MKNOD;
  return true;
}

/* Loads the program and attaches it to the container's cgroup2 dir; returns 0 or an errno. */
static int attach_device_program(const struct spec *s) {
  size_t cap = 8 + s->device_rule_count * 8;
  struct bpf_insn *p = xmalloc(cap * sizeof *p);
  size_t n = 0;
  const int all = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
  p[n++] = bpf_insn(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0);
  p[n++] = bpf_insn(BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff);
  p[n++] = bpf_insn(BPF_LDX | BPF_MEM | BPF_W, 3, 1, 0, 0);
  p[n++] = bpf_insn(BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16);
  p[n++] = bpf_insn(BPF_LDX | BPF_MEM | BPF_W, 4, 1, 4, 0);
  p[n++] = bpf_insn(BPF_LDX | BPF_MEM | BPF_W, 5, 1, 8, 0);
  for (size_t i = 0; i < s->device_rule_count; i++) {
    int type, access;
    long major, minor;
    if (!parse_device_rule(s->device_rules[i], &type, &major, &minor, &access))
      die("devices", 0, "malformed device rule \"%s\"", s->device_rules[i]);
    /* The block's length first, so each test can jump to the instruction after it. */
    int len = 2 + (type ? 1 : 0) + (access != all ? 3 : 0) + (major >= 0) + (minor >= 0);
    int at = 0;
#define SKIP ((int16_t)(len - ++at))
    if (type) p[n++] = bpf_insn(BPF_JMP | BPF_JNE | BPF_K, 2, 0, SKIP, type);
    if (access != all) {
      /* Allowed only if every requested access bit is in the rule: (r3 & access) == r3. */
      p[n++] = bpf_insn(BPF_ALU | BPF_MOV | BPF_X, 1, 3, 0, 0), at++;
      p[n++] = bpf_insn(BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, access), at++;
      p[n++] = bpf_insn(BPF_JMP | BPF_JNE | BPF_X, 1, 3, SKIP, 0);
    }
    if (major >= 0) p[n++] = bpf_insn(BPF_JMP | BPF_JNE | BPF_K, 4, 0, SKIP, (int32_t)major);
    if (minor >= 0) p[n++] = bpf_insn(BPF_JMP | BPF_JNE | BPF_K, 5, 0, SKIP, (int32_t)minor);
#undef SKIP
    p[n++] = bpf_insn(BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, 1);
    p[n++] = bpf_insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  }
  p[n++] = bpf_insn(BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, 0);
  p[n++] = bpf_insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t)(uintptr_t)p;
  attr.insn_cnt = (uint32_t)n;
  attr.license = (uint64_t)(uintptr_t)"Apache";
  int prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
  free(p);
  if (prog < 0) return errno;
  int cgroup = open(s->device_cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgroup < 0) {
    int err = errno;
    close(prog);
    return err;
  }
  memset(&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t)cgroup;
  attr.attach_bpf_fd = (uint32_t)prog;
  attr.attach_type = BPF_CGROUP_DEVICE;
  /* ALLOW_MULTI as runc: programs of ancestor cgroups (e.g. systemd's) keep running too. */
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  int rc = (int)syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof attr);
  int err = rc == 0 ? 0 : errno;
  /* The cgroup holds the attached program; it goes when the cgroup is removed. */
  close(cgroup);
  close(prog);
  return err;
}

static void apply_device_policy(struct spec *s) {
  if (strcmp(s->device_policy, "ebpf") != 0) return;
  int err = attach_device_program(s);
  if (err == 0) return;
  /* No program, no policy: the same safe fallback as a host without device cgroups. */
  s->restrict_devices = true;
  char line[512];
  snprintf(line, sizeof line,
           "{\"devices\":\"fallback\",\"errno\":%d,\"message\":\"attach the eBPF device "
           "program to the cgroup: %s\"}\n", err, strerror(err));
  status_line(line);
}

/* ------------------------------------------------------------------------------------------ */
/* Stage 0                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static volatile sig_atomic_t container_pid = 0;

static void forward_signal(int sig) {
  if (container_pid > 0) kill(container_pid, sig);
}

static void reset_process_state(void) {
  /* The JVM may leave signals blocked or ignored; the container must start clean. */
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    signal(sig, SIG_DFL);
  }
  /* Nothing the JVM opened may reach the container: only stdin/out/err stay. */
  if (syscall(SYS_close_range, 3, ~0u, 0) != 0) {
    for (int fd = 3; fd < 1024; fd++) close(fd);
  }
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "userns") == 0) {
    reset_process_state();
    return userns_main(argc, argv);
  }
  if (argc != 3) {
    fprintf(stderr, "usage: rrun SPEC_JSON_PATH|- STATUS_PATH\n");
    return 2;
  }
  pid_t starter = getppid();
  /* If the JVM dies, so do we, and through stage 1's own PDEATHSIG the whole container. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return EXIT_SETUP_FAILED;
  if (getppid() != starter) return EXIT_SETUP_FAILED; /* the parent died before prctl */
  reset_process_state();

  status_fd = open(argv[2], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (status_fd < 0) {
    fprintf(stderr, "rrun: open status file %s: %s\n", argv[2], strerror(errno));
    return EXIT_SETUP_FAILED;
  }
  struct spec s;
  memset(&s, 0, sizeof s);
  load_spec(argv[1], &s);

  int release[2];
  if (pipe2(release, O_CLOEXEC) != 0) die("clone", errno, "pipe");
  size_t stack_size = 1 << 20;
  char *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                     -1, 0);
  if (stack == MAP_FAILED) die("clone", errno, "allocate a stack");
  int flags = s.inplace_root ? SIGCHLD
                             : CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD;
  if (s.bound_proc) flags &= ~CLONE_NEWPID;
  if (s.inplace_root) {
    /* In place: the container's own network, processes and mounts are the command's. */
  } else if (s.netns) {
    /* Bridge mode: Java prepared this namespace (veth, address, routes); the container joins
     * it instead of getting an empty one. We are single-threaded, so setns is safe here. */
    int fd = open(s.netns, O_RDONLY | O_CLOEXEC);
    if (fd < 0) die("network", errno, "open the network namespace %s", s.netns);
    if (setns(fd, CLONE_NEWNET) != 0) die("network", errno, "join the network namespace %s", s.netns);
    close(fd);
  } else if (!s.host_network) {
    flags |= CLONE_NEWNET;
  }
  /* Before the clone: the program guards the cgroup before the container is in it, and the
   * fallback decision must be in stage 1's copy of our memory. */
  apply_device_policy(&s);
  drop_mknod = s.restrict_devices;
  struct stage1_args args = {&s, release[0], release[1]};
  /* clone rather than unshare+fork: one call creates every namespace and the new PID 1. */
  pid_t child = clone(stage1, stack + stack_size, flags, &args);
  if (child < 0) die("clone", errno, "clone the container init");
  /* Stage 1 has its own copy of the secrets; this process never needs them again. */
  wipe_secrets(&s, true);
  close(release[0]);
  container_pid = child;

  char line[64];
  snprintf(line, sizeof line, "{\"pid\":%d}\n", child);
  status_line(line);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = forward_signal;
  for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
    sigaction(forwarded_signals[i], &sa, NULL);

  /* The child must be in its cgroups before it runs anything, so limits cover every process. */
  int saved_errno = 0;
  char cgroup_error[PATH_MAX] = "";
  char buf[32];
  snprintf(buf, sizeof buf, "%d", child);
  for (size_t i = 0; i < s.cgroup_count && !saved_errno; i++) {
    int fd = open(s.cgroup_procs[i], O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, buf, strlen(buf)) < 0) {
      saved_errno = errno;
      snprintf(cgroup_error, sizeof cgroup_error, "%s", s.cgroup_procs[i]);
    }
    if (fd >= 0) close(fd);
  }
  if (saved_errno) {
    report_error("cgroup", saved_errno, "add pid %d to %s", child, cgroup_error);
    kill(child, SIGKILL);
  } else if (write(release[1], "1", 1) != 1) {
    report_error("clone", errno, "release the container init");
    kill(child, SIGKILL);
  }
  /* release[1] stays open until we exit: without a PID namespace stage 1 takes its EOF as our
   * death and kills the step's processes (inplace_reap). Only this process holds it (CLOEXEC,
   * and stage 1 closed its copy before forking the command). */

  /* With a pty the container's line discipline does the editing and signals; ours must pass
   * every byte through untouched until the container ends. */
  struct termios saved_termios;
  int term_fd = isatty(STDIN_FILENO) ? STDIN_FILENO : STDOUT_FILENO;
  bool raw = s.tty && isatty(term_fd) && tcgetattr(term_fd, &saved_termios) == 0;
  if (raw) {
    struct termios t = saved_termios;
    cfmakeraw(&t);
    tcsetattr(term_fd, TCSANOW, &t);
  }
  int status;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) {
      report_error("wait", errno, "wait for the container");
      return EXIT_SETUP_FAILED;
    }
  }
  if (raw) tcsetattr(term_fd, TCSANOW, &saved_termios);
  if (WIFEXITED(status)) {
    snprintf(line, sizeof line, "{\"exit\":%d}\n", WEXITSTATUS(status));
    status_line(line);
    return WEXITSTATUS(status);
  }
  snprintf(line, sizeof line, "{\"signal\":%d}\n", WTERMSIG(status));
  status_line(line);
  return 128 + WTERMSIG(status);
}
