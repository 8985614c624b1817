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
}
