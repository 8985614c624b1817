package dev.jbuild.layerstore.posix;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.dev_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * Holds the libc binding. The holder is package-private, so {@link LibC} is unreachable outside
 * this package; the interface itself must be public in bytecode because jnr-ffi generates its
 * implementation in another class loader.
 */
final class Native {
  private Native() {}

/**
 * The libc calls the layer store needs, bound with jnr-ffi. Only {@link Posix} calls these, and it
 * checks errno right after each call (the jnr-posix pattern).
 */
public interface LibC {
  /** {@code getxattr(2)} without following a final symlink. */
  @ssize_t
  long lgetxattr(@In byte[] path, String name, @Out byte[] value, @size_t long size);

  /** {@code listxattr(2)} without following a final symlink; names are NUL-separated. */
  @ssize_t
  long llistxattr(@In byte[] path, @Out byte[] list, @size_t long size);

  /** {@code setxattr(2)} without following a final symlink. */
  int lsetxattr(@In byte[] path, String name, @In byte[] value, @size_t long size, int flags);

  /** {@code removexattr(2)} without following a final symlink. */
  int lremovexattr(@In byte[] path, String name);

  /** {@code mknod(2)}; glibc has exported a real {@code mknod} symbol since 2.33. */
  int mknod(@In byte[] path, @mode_t int mode, @dev_t long dev);

  /** {@code lchown(2)}. */
  int lchown(@In byte[] path, int uid, int gid);

  /** {@code chmod(2)}: unlike NIO it keeps the setuid, setgid and sticky bits. */
  int chmod(@In byte[] path, @mode_t int mode);

  /** {@code utimensat(2)}; {@code times} is two {@code struct timespec} (sec, nsec). */
  int utimensat(int dirfd, @In byte[] path, @In long[] times, int flags);

  /** {@code geteuid(2)}. */
  int geteuid();

  /**
   * {@code ioctl(2)} with a request that fills a small struct; here only {@code TIOCGWINSZ}
   * ({@code struct winsize}: rows, columns, x and y pixels as four shorts).
   */
  int ioctl(int fd, @jnr.ffi.types.u_int64_t long request, @Out short[] out);

  /** {@code strerror(3)}. */
  String strerror(int errnum);
}

/**
 * {@code statx(2)} (glibc 2.28+), bound on its own so that an older libc without the symbol only
 * loses birth times instead of failing {@link LibC}'s eager load.
 */
public interface StatxLibC {
  /** {@code statx(2)}; {@code buf} is a {@code struct statx} (256 bytes). */
  int statx(int dirfd, @In byte[] path, int flags, int mask, @Out byte[] buf);
}

/**
 * The calls of {@link FileCopy}, bound on their own so that a libc or kernel without one of them
 * ({@code copy_file_range} is glibc 2.27+) only loses the fast copy.
 */
public interface CopyLibC {
  /** {@code open(2)} with a creation mode (used only with {@code O_CREAT}). */
  int open(String path, int flags, @mode_t int mode);

  /** {@code copy_file_range(2)} from and to the descriptors' own offsets (null offsets). */
  @ssize_t
  long copy_file_range(int fdIn, jnr.ffi.Pointer offIn, int fdOut, jnr.ffi.Pointer offOut,
      @size_t long len, int flags);

  /** {@code read(2)}. */
  @ssize_t
  long read(int fd, @Out byte[] buf, @size_t long count);

  /** {@code write(2)} of the first {@code count} bytes of {@code buf}. */
  @ssize_t
  long write(int fd, @In byte[] buf, @size_t long count);

  /** {@code fchown(2)}. */
  int fchown(int fd, int uid, int gid);

  /** {@code fchmod(2)}. */
  int fchmod(int fd, @mode_t int mode);

  /** {@code futimens(3)}; {@code times} is two {@code struct timespec} (sec, nsec). */
  int futimens(int fd, @In long[] times);

  /** {@code close(2)}. */
  int close(int fd);

  /** {@code strerror(3)}. */
  String strerror(int errnum);
}
}
