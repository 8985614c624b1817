package dev.jbuild.builder.error;

/**
 * A build failed for a reason the user can act on: a failing RUN step, a missing base image, an
 * invalid Dockerfile. The message is one line meant for the user, prefixed with the Dockerfile
 * location when there is one.
 */
public class BuildException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a user-facing message. */
  public BuildException(String message) {
    super(message);
  }

  /** Creates the exception with a user-facing message and the underlying cause. */
  public BuildException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Rethrows what a build task failed with (the cause of an {@code ExecutionException}) when it is
   * a {@code BuildException}, an {@code InterruptedException}, a {@code RuntimeException} or an
   * {@code Error}, unchanged; returns any other (checked) cause for the caller to word.
   */
  public static Throwable rethrowIfKnown(Throwable cause)
      throws BuildException, InterruptedException {
    if (cause instanceof BuildException b) {
      throw b;
    }
    if (cause instanceof InterruptedException i) {
      throw i;
    }
    if (cause instanceof RuntimeException r) {
      throw r;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    return cause;
  }
}
