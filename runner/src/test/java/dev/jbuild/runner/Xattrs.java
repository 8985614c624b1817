package dev.jbuild.runner;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;

/** Test helper: reads xattrs of any namespace (NIO only sees user.*). */
final class Xattrs {
  /** The libc call we need. */
  public interface LibC {
    long lgetxattr(String path, String name, byte[] value, long size);
  }

  private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");

  private Xattrs() {}

  /** The value as a string, or null if the attribute is absent. */
  static String get(Path path, String name) {
    byte[] buf = new byte[4096];
    long n = LIBC.lgetxattr(path.toString(), name, buf, buf.length);
    return n < 0 ? null : new String(buf, 0, (int) n, StandardCharsets.UTF_8);
  }
}
