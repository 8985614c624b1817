package dev.jbuild.runner;

import java.util.Objects;

/**
 * A secret for one run (BuildKit's {@code RUN --mount=type=secret}): a read-only file at {@code
 * target}, an environment variable {@code envName}, or both.
 *
 * <p>The value never touches a disk: it travels to the helper over a pipe, and the file lives on
 * a private tmpfs that only the container's mount namespace holds, so it is gone when the
 * container is, even after {@code kill -9} of this JVM. {@link #toString()} never shows it.
 *
 * <p>The value is not copied: the caller owns the array and should zero it once the run is over.
 */
public final class SecretMount {
  private final String target;
  private final String envName;
  private final byte[] value;
  private final int uid;
  private final int gid;
  private final int mode;

  /**
   * A secret.
   *
   * @param target absolute path of the file in the container, or null for an environment-only
   *     secret
   * @param envName environment variable to set to the value for this run, or null
   * @param value the secret's bytes (not copied); without NUL bytes if {@code envName} is set
   * @param uid owner of the file
   * @param gid group of the file
   * @param mode permission bits of the file (BuildKit's default is 0400)
   * @throws IllegalArgumentException if neither target nor envName is given, or one is invalid
   */
  public SecretMount(String target, String envName, byte[] value, int uid, int gid, int mode) {
    this.value = Objects.requireNonNull(value, "value");
    if (target == null && envName == null) {
      throw new IllegalArgumentException("a secret needs a target, an env name or both");
    }
    if (target != null && (!target.startsWith("/") || target.indexOf('\0') >= 0)) {
      throw new IllegalArgumentException("secret target must be an absolute path: " + target);
    }
    if (envName != null && (envName.isEmpty() || envName.indexOf('=') >= 0
        || envName.indexOf('\0') >= 0)) {
      throw new IllegalArgumentException("not a valid environment variable name: " + envName);
    }
    if (envName != null) {
      for (byte b : value) {
        if (b == 0) {
          // The message names the variable, never the value.
          throw new IllegalArgumentException("the secret for " + envName
              + " contains a NUL byte and cannot be an environment variable");
        }
      }
    }
    if (uid < 0 || gid < 0 || mode < 0 || mode > 07777) {
      throw new IllegalArgumentException("bad secret owner or mode: " + uid + ":" + gid + " "
          + Integer.toOctalString(mode));
    }
    this.target = target;
    this.envName = envName;
    this.uid = uid;
    this.gid = gid;
    this.mode = mode;
  }

  /** Where the file appears in the container, or null for an environment-only secret. */
  public String target() {
    return target;
  }

  /** The environment variable set to the value, or null. */
  public String envName() {
    return envName;
  }

  /** The value itself (the caller's array, not a copy). */
  byte[] value() {
    return value;
  }

  public int uid() {
    return uid;
  }

  public int gid() {
    return gid;
  }

  public int mode() {
    return mode;
  }

  /** Describes the secret without its value. */
  @Override
  public String toString() {
    return "SecretMount[target=" + target + ", env=" + envName + ", " + uid + ":" + gid
        + ", mode=" + Integer.toOctalString(mode) + ", value hidden]";
  }
}
