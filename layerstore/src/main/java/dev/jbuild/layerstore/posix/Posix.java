package dev.jbuild.layerstore.posix;

import dev.jbuild.layerstore.fs.FileNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Runtime;

/**
 * The few POSIX calls that NIO lacks: extended attributes in every namespace (NIO only sees
 * {@code user.*}), {@code mknod} for overlay whiteouts and devices, {@code lchown}, a mode-preserving
 * {@code chmod}, and timestamps on symlinks ({@code statx} is in {@link Statx}). This package is
 * the only place jbuild's layer store touches jnr-ffi; all methods take and return JDK types, and
 * paths reach libc as their own bytes ({@link dev.jbuild.layerstore.fs.FileNames#bytes}).
 *
 * <p>Failures throw {@link IOException} with the call, the path and the errno text, for example
 * "Tried to lsetxattr(/x, trusted.overlay.opaque) but failed because: Operation not permitted
 * (errno 1)". Thread-safe: every method is a single system call.
 */
public final class Posix {
  /** File type mask and types of {@code st_mode}, from {@code <sys/stat.h>}. */
  public static final int S_IFMT = 0170000;
  public static final int S_IFSOCK = 0140000;
  public static final int S_IFLNK = 0120000;
  public static final int S_IFREG = 0100000;
  public static final int S_IFBLK = 0060000;
  public static final int S_IFDIR = 0040000;
  public static final int S_IFCHR = 0020000;
  public static final int S_IFIFO = 0010000;

  /** errno values this package interprets. */
  public static final int ENOENT = 2;
  public static final int EEXIST = 17;
  public static final int ERANGE = 34;
  public static final int ENODATA = 61;
  public static final int EOPNOTSUPP = 95;

  static final int AT_FDCWD = -100;
  static final int AT_SYMLINK_NOFOLLOW = 0x100;

  private Posix() {}

  /** Loaded on first use so that classes merely referencing Posix work without native access. */
  private static final class Holder {
    // The exact soname: with "c", jnr scans ld.so.conf and every library directory first
    // (about 0.3 s on each jbuild start).
    static final Native.LibC LIBC =
        LibraryLoader.create(Native.LibC.class).option(LibraryOption.SaveError, true).failImmediately()
            .load(jnr.ffi.Platform.getNativePlatform().getStandardCLibraryName());
    static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
  }

  private static final java.util.concurrent.atomic.AtomicBoolean PRELOADING =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Starts loading the C library binding on a daemon thread, once per JVM; returns at once. jnr-ffi
   * generates and loads its classes on first use, 0.3 s on an idle 2-core machine and over a
   * second on a busy one, and every thread that needs it meanwhile waits. A caller that knows a
   * native call is coming (a build step whose diff reads xattrs) starts this while the step runs.
   * A failure here is ignored: the first real call reports it.
   */
  public static void preloadInBackground() {
    if (!PRELOADING.compareAndSet(false, true)) {
      return;
    }
    Thread thread = new Thread(() -> {
      try {
        // also links the call the diff makes first
        Holder.LIBC.llistxattr(cPath(Path.of("/")), null, 0);
      } catch (Throwable e) {
        // left to the first real call, which names the call that failed
      }
    }, "jbuild-posix-preload");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * {@code path} as a C string: the bytes the kernel has for it ({@link FileNames#bytes}, which
   * keeps a name that is not valid UTF-8), NUL-terminated.
   */
  static byte[] cPath(Path path) {
    byte[] b = FileNames.bytes(path);
    return java.util.Arrays.copyOf(b, b.length + 1);
  }

  /** {@code strerror(errnum)}: the text of an errno, as failures quote it. */
  static String strerror(int errnum) {
    return Holder.LIBC.strerror(errnum);
  }

  private static int errno() {
    return LastError.getLastError(Holder.RUNTIME);
  }

  private static PosixException failure(String call, Object detail) {
    int errno = errno();
    return new PosixException(call, String.valueOf(detail), errno, Holder.LIBC.strerror(errno));
  }

  private static volatile Boolean inUserNamespace;

  /**
   * True when this process is in a user namespace other than the host's (its uid map is not the
   * identity {@code 0 0 4294967295}), as rootless jbuild is: then even uid 0 holds its
   * capabilities only over that namespace, so {@code trusted.*} xattrs and device nodes other
   * than whiteouts cannot be written.
   */
  public static boolean inUserNamespace() {
    // A process never changes its user namespace here (the JVM cannot), so once is enough.
    Boolean nested = inUserNamespace;
    if (nested == null) {
      try {
        String map = java.nio.file.Files.readString(Path.of("/proc/self/uid_map"));
        nested = !map.strip().replaceAll("\\s+", " ").equals("0 0 4294967295");
      } catch (IOException | RuntimeException e) {
        nested = false;
      }
      inUserNamespace = nested;
    }
    return nested;
  }

  /** {@code TIOCGWINSZ} on the architectures jbuild runs on (x86-64, arm64: asm-generic). */
  private static final long TIOCGWINSZ = 0x5413;

  /**
   * The width in columns of the terminal open on {@code fd} ({@code TIOCGWINSZ}, as {@code stty
   * size} reads it), or 0 when {@code fd} is not a terminal, the terminal reports no size, or
   * libc cannot be loaded.
   */
  public static int terminalColumns(int fd) {
    try {
      short[] winsize = new short[4];
      if (Holder.LIBC.ioctl(fd, TIOCGWINSZ, winsize) != 0) {
        return 0;
      }
      return Short.toUnsignedInt(winsize[1]);
    } catch (LinkageError | RuntimeException e) {
      return 0; // no native access here: the caller falls back to $COLUMNS
    }
  }

  /** CAP_SYS_ADMIN's bit in {@code /proc/self/status} CapEff. */
  private static final int CAP_SYS_ADMIN = 21;

  /**
   * True when CAP_SYS_ADMIN is in this process's effective set ({@code CapEff} of {@code
   * /proc/self/status}): without it nothing can be mounted or unshared, as in a container with
   * Docker's default capabilities. True when it cannot be read, so that callers keep the
   * privileged path and its first mount fails with the reason.
   */
  public static boolean hasSysAdmin() {
    try {
      for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) {
          long caps = Long.parseUnsignedLong(line.substring(7).strip(), 16);
          return (caps & (1L << CAP_SYS_ADMIN)) != 0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return true;
    }
    return true;
  }

  /** True when this process has effective uid 0. */
  public static boolean isRoot() {
    // /proc answers without loading the native library, which most commands never need.
    try {
      for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2].equals("0");
        }
      }
    } catch (IOException | RuntimeException e) {
      // Fall back to the system call.
    }
    return Holder.LIBC.geteuid() == 0;
  }

  /**
   * Reads the extended attribute {@code name} of {@code path} (not following a final symlink).
   *
   * @return the value, or empty if the attribute is absent or the file system has no xattrs
   */
  public static Optional<byte[]> lgetxattr(Path path, String name) throws IOException {
    String p = path.toString();
    byte[] c = cPath(path);
    for (int attempt = 0; attempt < 8; attempt++) {
      long size = Holder.LIBC.lgetxattr(c, name, null, 0);
      if (size < 0) {
        int errno = errno();
        if (errno == ENODATA || errno == EOPNOTSUPP) {
          return Optional.empty();
        }
        throw failure("lgetxattr", p + ", " + name);
      }
      byte[] buf = new byte[(int) size];
      long got = Holder.LIBC.lgetxattr(c, name, buf, buf.length);
      if (got >= 0) {
        return Optional.of(got == buf.length ? buf : Arrays.copyOf(buf, (int) got));
      }
      int errno = errno();
      if (errno == ENODATA) {
        return Optional.empty();
      }
      if (errno != ERANGE) { // ERANGE: the value grew between the two calls; retry
        throw failure("lgetxattr", p + ", " + name);
      }
    }
    throw new IOException("Tried to lgetxattr(" + p + ", " + name + ") but the value kept changing");
  }

  /**
   * Lists the extended attribute names of {@code path} (not following a final symlink), in the
   * order the kernel returns them. Empty if the file system has no xattr support.
   */
  public static List<String> llistxattr(Path path) throws IOException {
    String p = path.toString();
    byte[] c = cPath(path);
    for (int attempt = 0; attempt < 8; attempt++) {
      long size = Holder.LIBC.llistxattr(c, null, 0);
      if (size < 0) {
        if (errno() == EOPNOTSUPP) {
          return List.of();
        }
        throw failure("llistxattr", p);
      }
      if (size == 0) {
        return List.of();
      }
      byte[] buf = new byte[(int) size];
      long got = Holder.LIBC.llistxattr(c, buf, buf.length);
      if (got < 0) {
        if (errno() == ERANGE) {
          continue;
        }
        throw failure("llistxattr", p);
      }
      List<String> names = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < got; i++) {
        if (buf[i] == 0) {
          if (i > start) {
            names.add(new String(buf, start, i - start, StandardCharsets.UTF_8));
          }
          start = i + 1;
        }
      }
      return names;
    }
    throw new IOException("Tried to llistxattr(" + p + ") but the list kept changing");
  }

  /** Sets the extended attribute {@code name} of {@code path} (not following a final symlink). */
  public static void lsetxattr(Path path, String name, byte[] value) throws IOException {
    if (Holder.LIBC.lsetxattr(cPath(path), name, value, value.length, 0) != 0) {
      throw failure("lsetxattr", path + ", " + name);
    }
  }

  /** Removes the extended attribute {@code name}; absent attributes are not an error. */
  public static void lremovexattr(Path path, String name) throws IOException {
    if (Holder.LIBC.lremovexattr(cPath(path), name) != 0 && errno() != ENODATA) {
      throw failure("lremovexattr", path + ", " + name);
    }
  }

  /**
   * Creates a special file ({@code mknod(2)}).
   *
   * @param mode file type ({@link #S_IFCHR}, {@link #S_IFBLK}, {@link #S_IFIFO}) or'ed with the
   *     permission bits (subject to the umask)
   */
  public static void mknod(Path path, int mode, int major, int minor) throws IOException {
    if (Holder.LIBC.mknod(cPath(path), mode, makedev(major, minor)) != 0) {
      throw failure("mknod", path);
    }
  }

  /** Creates an overlayfs whiteout: a character device 0/0 ({@code overlayfs.rst}). */
  public static void mkwhiteout(Path path) throws IOException {
    mknod(path, S_IFCHR, 0, 0);
  }

  /** Changes the owner of {@code path} without following a final symlink. */
  public static void lchown(Path path, int uid, int gid) throws IOException {
    if (Holder.LIBC.lchown(cPath(path), uid, gid) != 0) {
      throw failure("lchown", path);
    }
  }

  /** Sets all 12 mode bits (including setuid, setgid, sticky); follows symlinks. */
  public static void chmod(Path path, int mode) throws IOException {
    if (Holder.LIBC.chmod(cPath(path), mode & 07777) != 0) {
      throw failure("chmod", path);
    }
  }

  /**
   * Sets access and modification time of {@code path} itself, also when it is a symlink.
   *
   * @param seconds seconds since the epoch
   * @param nanos nanoseconds within the second
   */
  public static void lsetTimes(Path path, long seconds, long nanos) throws IOException {
    long[] times = {seconds, nanos, seconds, nanos};
    if (Holder.LIBC.utimensat(AT_FDCWD, cPath(path), times, AT_SYMLINK_NOFOLLOW) != 0) {
      throw failure("utimensat", path);
    }
  }

  /** {@code UTIME_OMIT}: a {@code tv_nsec} that leaves that time as it is. */
  private static final long UTIME_OMIT = (1L << 30) - 2;

  /**
   * Sets the modification time of {@code path} itself (also when it is a symlink) and leaves its
   * access time alone: one {@code utimensat}, where NIO's {@code setLastModifiedTime} opens the
   * file, reads its times, sets both and closes it.
   *
   * @param seconds seconds since the epoch
   * @param nanos nanoseconds within the second
   */
  public static void lsetModifiedTime(Path path, long seconds, long nanos) throws IOException {
    long[] times = {0, UTIME_OMIT, seconds, nanos};
    if (Holder.LIBC.utimensat(AT_FDCWD, cPath(path), times, AT_SYMLINK_NOFOLLOW) != 0) {
      throw failure("utimensat", path);
    }
  }

  /** What {@link #birthTimeNanos} returns when the file system or libc gives no birth time. */
  public static final long NO_BIRTH_TIME = Long.MIN_VALUE;

  /**
   * The birth (creation) time of {@code path} itself in nanoseconds since the epoch, from {@code
   * statx(2)}'s {@code stx_btime}, or {@link #NO_BIRTH_TIME} when libc, the kernel or the file
   * system does not report one (ext4, xfs, btrfs and tmpfs do, also through overlayfs). JDK 17's
   * NIO cannot read it ({@code creationTime()} is the mtime there before JDK 22).
   *
   * @throws IOException if {@code path} cannot be stat'ed
   */
  public static long birthTimeNanos(Path path) throws IOException {
    return Statx.birthTimeNanos(path);
  }

  /**
   * The stat data of {@code path} itself (not following a final symlink) in one {@code statx(2)}
   * into a 256-byte buffer. A COPY of 20k files stats each file three times (cache
   * key, copy, diff); NIO's {@code readAttributes(path, "unix:...")} answers with a map built from
   * the parsed attribute names, and compiling that path cost a build more CPU than the calls
   * themselves. Falls back to NIO where libc or the kernel has no {@code statx}.
   *
   * @throws java.nio.file.NoSuchFileException if nothing is there
   * @throws IOException for other failures, naming the call, the path and errno
   */
  public static Stat lstat(Path path) throws IOException {
    return Statx.lstat(path);
  }

  /** {@link #lstat} through NIO: the same fields, read by name (and by the path's own bytes). */
  static Stat nioStat(Path path) throws IOException {
    return Statx.nioStat(path);
  }

  /** Packs a device number as glibc's {@code makedev(3)}. */
  public static long makedev(int major, int minor) {
    long ma = Integer.toUnsignedLong(major);
    long mi = Integer.toUnsignedLong(minor);
    return ((ma & 0xfffff000L) << 32) | ((ma & 0xfffL) << 8) | ((mi & 0xffffff00L) << 12)
        | (mi & 0xffL);
  }

  /** The major number of a packed device number ({@code major(3)}). */
  public static int major(long dev) {
    return (int) (((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0xfffL));
  }

  /** The minor number of a packed device number ({@code minor(3)}). */
  public static int minor(long dev) {
    return (int) (((dev >>> 12) & 0xffffff00L) | (dev & 0xffL));
  }
}
