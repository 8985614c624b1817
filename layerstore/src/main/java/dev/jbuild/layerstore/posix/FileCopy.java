package dev.jbuild.layerstore.posix;

import java.io.IOException;
import java.nio.file.Path;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Runtime;

/**
 * Copies a regular file into a new file and gives it owner, mode and mtime, all through the two
 * open descriptors: {@code open}, {@code open(O_CREAT|O_EXCL|O_NOFOLLOW)}, {@code
 * copy_file_range}, {@code fchown}, {@code fchmod}, {@code futimens}, two {@code close}s. A COPY
 * of 20k small files is made of such per-file calls (issue 18): NIO's {@code
 * FileChannel.transferTo} adds an {@code fstat}, and {@code lchown}, {@code chmod} and {@code
 * utimensat} each look the path up again.
 *
 * <p>Only where the open flags are known (x86-64, arm64) and both paths are ASCII (the string
 * jnr passes must be the name's own bytes, as in {@link Posix#lstat}); elsewhere {@link #copyNew}
 * answers {@link Result#UNSUPPORTED} before touching anything, and the caller copies with NIO.
 * Thread-safe: no state beyond the loaded binding.
 */
public final class FileCopy {
  /** What {@link #copyNew} did. */
  public enum Result {
    /** The target was created with the content and the attributes. */
    COPIED,
    /** Something is at the target already; nothing was created or changed. */
    EXISTS,
    /** This copy cannot be done here (architecture, path, libc); nothing was touched. */
    UNSUPPORTED
  }

  private static final int O_WRONLY = 01;
  private static final int O_CREAT = 0100;
  private static final int O_EXCL = 0200;
  private static final int O_CLOEXEC = 02000000;
  /** The same on x86-64 and arm64; no effect on a regular file. */
  private static final int O_NONBLOCK = 04000;
  private static final int EINTR = 4;
  private static final int EAGAIN = 11;
  private static final int EPERM = 1;
  private static final int EXDEV = 18;
  private static final int EINVAL = 22;
  private static final int ENOSYS = 38;
  private static final int EOPNOTSUPP = 95;
  private static final long UTIME_OMIT = (1L << 30) - 2;
  /** {@code O_NOFOLLOW}: asm-generic (arm64) and x86 differ; 0 where unknown (no fast copy). */
  private static final int O_NOFOLLOW = switch (System.getProperty("os.arch", "")) {
    case "amd64", "x86_64" -> 0400000;
    case "aarch64", "arm64" -> 0100000;
    default -> 0;
  };

  private FileCopy() {}

  /** Loaded on first use; null when the binding cannot be loaded. */
  private static final class Holder {
    static final Native.CopyLibC LIB = load();
    static final Runtime RUNTIME = LIB == null ? null : Runtime.getRuntime(LIB);

    private static Native.CopyLibC load() {
      if (O_NOFOLLOW == 0 || !System.getProperty("os.name", "").equals("Linux")) {
        return null;
      }
      try {
        return LibraryLoader.create(Native.CopyLibC.class).option(LibraryOption.SaveError, true)
            .failImmediately()
            .load(jnr.ffi.Platform.getNativePlatform().getStandardCLibraryName());
      } catch (LinkageError | RuntimeException e) {
        return null;
      }
    }
  }

  /**
   * Creates {@code target} exclusively (never through a symlink there) and copies the first
   * {@code size} bytes of {@code source} (not followed if it is a symlink) into it, fewer if the
   * source is shorter by now; then sets owner, all 12 mode bits (after the owner, which would
   * clear setuid and setgid) and the mtime (the atime is left as created).
   *
   * @return {@link Result#EXISTS} when something is at {@code target} (nothing was changed), or
   *     {@link Result#UNSUPPORTED} when this cannot be done here (nothing was touched)
   * @throws PosixException when a call fails, with its name ({@link PosixException#call()}) and
   *     errno; a target created by then is left as it is, for the caller's cleanup
   */
  public static Result copyNew(Path source, Path target, long size, int uid, int gid, int mode,
      long mtimeSeconds, long mtimeNanos) throws IOException {
    String src = source.toString();
    String dst = target.toString();
    Native.CopyLibC lib = O_NOFOLLOW == 0 ? null : Holder.LIB;
    if (lib == null || !ascii(src) || !ascii(dst)) {
      return Result.UNSUPPORTED;
    }
    // O_NONBLOCK: a source swapped for a FIFO after the caller's lstat opens at once (and reads
    // as empty) instead of waiting forever for a writer.
    int in = lib.open(src, O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0);
    if (in < 0) {
      throw failure(lib, "open", src);
    }
    try {
      int out = lib.open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0777);
      if (out < 0) {
        if (LastError.getLastError(Holder.RUNTIME) == Posix.EEXIST) {
          return Result.EXISTS;
        }
        throw failure(lib, "open", dst);
      }
      try {
        transfer(lib, in, out, size, src, dst);
        if (lib.fchown(out, uid, gid) != 0) {
          throw failure(lib, "fchown", dst);
        }
        // Always: the creation mode went through the umask, or through the parent's default
        // ACL where it has one (a base layer's directory can), so it cannot be trusted.
        if (lib.fchmod(out, mode & 07777) != 0) {
          throw failure(lib, "fchmod", dst);
        }
        if (lib.futimens(out, new long[] {0, UTIME_OMIT, mtimeSeconds, mtimeNanos}) != 0) {
          throw failure(lib, "futimens", dst);
        }
      } finally {
        lib.close(out);
      }
    } finally {
      lib.close(in);
    }
    return Result.COPIED;
  }

  /**
   * Copies up to {@code size} bytes: {@code copy_file_range} (in-kernel, reflinks where the file
   * system can), else, when the kernel refuses it for these files before anything was copied
   * (other file systems, old kernels, seccomp), {@code read} and {@code write}.
   */
  private static void transfer(Native.CopyLibC lib, int in, int out, long size, String src,
      String dst) throws IOException {
    long done = 0;
    while (done < size) {
      long n = lib.copy_file_range(in, null, out, null, size - done, 0);
      if (n > 0) {
        done += n;
        continue;
      }
      if (n == 0) {
        return; // the source is shorter now: what a build reads while it changes is undefined
      }
      int errno = LastError.getLastError(Holder.RUNTIME);
      if (errno == EINTR) {
        continue;
      }
      if (done == 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS
          || errno == EOPNOTSUPP || errno == EPERM)) {
        readWrite(lib, in, out, size, src, dst);
        return;
      }
      throw failure(lib, errno, "copy_file_range", src + " -> " + dst);
    }
  }

  private static void readWrite(Native.CopyLibC lib, int in, int out, long size, String src,
      String dst) throws IOException {
    byte[] buf = new byte[(int) Math.min(size, 128 * 1024)];
    long done = 0;
    while (done < size) {
      long n = lib.read(in, buf, Math.min(buf.length, size - done));
      if (n == 0) {
        return;
      }
      if (n < 0) {
        int errno = LastError.getLastError(Holder.RUNTIME);
        if (errno == EINTR) {
          continue;
        }
        if (errno == EAGAIN) {
          return; // a FIFO with a writer and nothing written yet: not a file to wait on
        }
        throw failure(lib, "read", src);
      }
      int off = 0;
      int left = (int) n;
      while (left > 0) {
        // After a short write, the rest of the chunk (jnr passes an array from its start).
        byte[] chunk = off == 0 ? buf : java.util.Arrays.copyOfRange(buf, off, off + left);
        long w = lib.write(out, chunk, left);
        if (w < 0) {
          if (LastError.getLastError(Holder.RUNTIME) == EINTR) {
            continue;
          }
          throw failure(lib, "write", dst);
        }
        off += (int) w;
        left -= (int) w;
      }
      done += n;
    }
  }

  private static boolean ascii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static PosixException failure(Native.CopyLibC lib, String call, String detail) {
    return failure(lib, LastError.getLastError(Holder.RUNTIME), call, detail);
  }

  private static PosixException failure(Native.CopyLibC lib, int errno, String call,
      String detail) {
    return new PosixException(call, detail, errno, lib.strerror(errno));
  }
}
