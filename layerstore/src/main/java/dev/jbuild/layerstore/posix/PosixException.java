package dev.jbuild.layerstore.posix;

import java.io.IOException;

/** A failed system call, with its errno so callers can react to specific errors. */
public final class PosixException extends IOException {
  private final String call;
  private final int errno;

  PosixException(String call, String detail, int errno, String text) {
    super("Tried to " + call + "(" + detail + ") but failed because: " + text + " (errno "
        + errno + ")");
    this.call = call;
    this.errno = errno;
  }

  /** The system call, for example {@code mknod}. */
  public String call() {
    return call;
  }

  /** The errno value. */
  public int errno() {
    return errno;
  }
}
