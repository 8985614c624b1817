package dev.jbuild.builder.exec;

import dev.jbuild.runner.CommandRunner;
import dev.jbuild.runner.RunnerException;

/**
 * Gives the builder a container runner when a RUN step needs one; a fully cached build never
 * asks, and so never pays for the runner's set-up.
 */
@FunctionalInterface
public interface RunnerSource {
  /**
   * The runner, created on first use.
   *
   * @throws RunnerException when it cannot be set up
   */
  CommandRunner get() throws RunnerException;
}
