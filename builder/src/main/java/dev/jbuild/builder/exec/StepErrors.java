package dev.jbuild.builder.exec;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.plan.StepHeader;

/** Errors of a step, located at its Dockerfile line: {@code Dockerfile:3: message}. */
final class StepErrors {
  private StepErrors() {}

  /** The {@code Dockerfile:3: } prefix of {@code step}'s messages. */
  static String prefix(BuildOptions options, StepHeader step) {
    return options.dockerfileName() + ":" + step.line() + ": ";
  }

  static BuildException located(BuildOptions options, StepHeader step, String message,
      Throwable cause) {
    return new BuildException(prefix(options, step) + message, cause);
  }
}
