package dev.jbuild.layerstore.posix;

import java.io.IOException;
import java.nio.file.Path;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Runtime;

/**
 * {@code statx(2)} and the decoding of its {@code struct statx} into a {@link Stat}, behind
 * {@link Posix#lstat} and {@link Posix#birthTimeNanos}; NIO where libc or the kernel lacks the
 * call. Bound on its own so that an older libc without the symbol only loses these. Thread-safe.
 */
final class Statx {
  private Statx() {}

  /** Loaded on first use; null when libc has no {@code statx}. */
  private static final class Holder {
    static final Native.StatxLibC STATX = load();

    private static Native.StatxLibC load() {
      try {
        return LibraryLoader.create(Native.StatxLibC.class)
            .option(LibraryOption.SaveError, true).failImmediately()
            .load(jnr.ffi.Platform.getNativePlatform().getStandardCLibraryName());
      } catch (LinkageError | RuntimeException e) {
        return null;
      }
    }
  }

  private static final int STATX_BTIME = 0x800;
  private static final int AT_STATX_DONT_SYNC = 0x4000;
  /** Offsets in {@code struct statx}: {@code stx_mask}, {@code stx_btime} (tv_sec, tv_nsec). */
  private static final int STX_MASK = 0;
  private static final int STX_BTIME_SEC = 80;
  private static final int STX_BTIME_NSEC = 88;

  /** {@link Posix#birthTimeNanos}. */
  static long birthTimeNanos(Path path) throws IOException {
    Native.StatxLibC lib = Holder.STATX;
    if (lib == null) {
      return Posix.NO_BIRTH_TIME;
    }
    byte[] buf = new byte[256];
    if (lib.statx(Posix.AT_FDCWD, Posix.cPath(path),
        Posix.AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, STATX_BTIME, buf) != 0) {
      int errno = LastError.getLastError(Runtime.getRuntime(lib));
      if (errno == 38) { // ENOSYS: a kernel before 4.11, or a seccomp filter that denies it
        return Posix.NO_BIRTH_TIME;
      }
      throw new PosixException("statx", path.toString(), errno, Posix.strerror(errno));
    }
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(buf).order(java.nio.ByteOrder.nativeOrder());
    if ((b.getInt(STX_MASK) & STATX_BTIME) == 0) {
      return Posix.NO_BIRTH_TIME;
    }
    long seconds = b.getLong(STX_BTIME_SEC);
    long nanos = Integer.toUnsignedLong(b.getInt(STX_BTIME_NSEC));
    try {
      return Math.addExact(Math.multiplyExact(seconds, 1_000_000_000L), nanos);
    } catch (ArithmeticException e) {
      return Posix.NO_BIRTH_TIME;
    }
  }

  private static final int STATX_BASIC_STATS = 0x7ff;
  /** What {@link Posix#lstat} needs in {@code stx_mask}: type, mode, nlink, uid, gid, mtime, ctime, ino, size. */
  private static final int STATX_NEEDED = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x40 | 0x80 | 0x100 | 0x200;
  private static final int ENOSYS = 38;
  /** Set when statx is missing or denied (ENOSYS): {@link Posix#lstat} then asks NIO. */
  private static volatile boolean noStatx;
  private static final String NIO_STAT =
      "unix:mode,uid,gid,nlink,ino,dev,rdev,size,lastModifiedTime,ctime";

  /** {@link Posix#lstat}. */
  static Stat lstat(Path path) throws IOException {
    Native.StatxLibC lib = noStatx ? null : Holder.STATX;
    String p = path.toString();
    // The path's own bytes (FileNames): its string form loses a name that is not valid UTF-8.
    if (lib != null) {
      byte[] buf = new byte[256];
      if (lib.statx(Posix.AT_FDCWD, Posix.cPath(path), Posix.AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buf) == 0) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(buf).order(java.nio.ByteOrder.nativeOrder());
        if ((b.getInt(0) & STATX_NEEDED) == STATX_NEEDED) {
          return new Stat(b.getShort(28) & 0xffff, b.getInt(20), b.getInt(24), b.getInt(16),
              b.getLong(32), Posix.makedev(b.getInt(136), b.getInt(140)),
              Posix.makedev(b.getInt(128), b.getInt(132)), b.getLong(40), b.getLong(112),
              b.getInt(120), b.getLong(96), b.getInt(104));
        }
      } else {
        int errno = LastError.getLastError(Runtime.getRuntime(lib));
        if (errno == Posix.ENOENT) {
          throw new java.nio.file.NoSuchFileException(p);
        }
        if (errno == 13) {
          throw new java.nio.file.AccessDeniedException(p);
        }
        if (errno != ENOSYS) {
          throw new PosixException("statx", p, errno, Posix.strerror(errno));
        }
        noStatx = true; // a kernel before 4.11, or a seccomp filter that denies it
      }
    }
    return nioStat(path);
  }

  /** {@link Posix#lstat} through NIO: the same fields, read by name (and by the path's own bytes). */
  static Stat nioStat(Path path) throws IOException {
    java.util.Map<String, Object> a = java.nio.file.Files.readAttributes(path, NIO_STAT,
        java.nio.file.LinkOption.NOFOLLOW_LINKS);
    java.time.Instant m = ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toInstant();
    java.time.Instant c = ((java.nio.file.attribute.FileTime) a.get("ctime")).toInstant();
    return new Stat((Integer) a.get("mode"), (Integer) a.get("uid"), (Integer) a.get("gid"),
        (Integer) a.get("nlink"), (Long) a.get("ino"), (Long) a.get("dev"), (Long) a.get("rdev"),
        (Long) a.get("size"), m.getEpochSecond(), m.getNano(), c.getEpochSecond(), c.getNano());
  }
}
