package dev.jbuild.builder.error;

import java.util.List;

/**
 * A RUN step's command failed. Carries the last lines of its output so the user sees why without
 * scrolling back.
 */
public class StepFailedException extends BuildException {
  private static final long serialVersionUID = 1L;

  private final List<String> outputTail;
  private final int exitCode;

  /**
   * Creates the exception.
   *
   * @param message the one-line message naming the step and the exit status
   * @param exitCode the command's exit code (128+signal when killed)
   * @param outputTail the last output lines, oldest first
   */
  public StepFailedException(String message, int exitCode, List<String> outputTail) {
    super(message);
    this.exitCode = exitCode;
    this.outputTail = List.copyOf(outputTail);
  }

  /** The last lines of the step's output, oldest first. */
  public List<String> outputTail() {
    return outputTail;
  }

  /** The command's exit code. */
  public int exitCode() {
    return exitCode;
  }
}
