package dev.jbuild.builder.exec;

import dev.jbuild.builder.error.BuildException;

/** Gives a stage the results of the earlier stages it reads, waiting for them if needed. */
@FunctionalInterface
public interface StageResults {
  /**
   * The result of stage {@code index}; blocks until that stage is built.
   *
   * @throws BuildException when that stage failed
   */
  StageResult await(int index) throws BuildException, InterruptedException;
}
