package dev.jbuild.builder.cli;

import dev.jbuild.builder.exec.RunnerSource;
import dev.jbuild.runner.CommandRunner;
import dev.jbuild.runner.RunnerException;

/**
 * The runner of a {@code jbuild build}: created on the first RUN step (a build without one never
 * sets up cgroups or networks) and closed, with its network pool, at the end. Thread-safe.
 */
final class LazyRunner implements RunnerSource, AutoCloseable {
  private final Session session;
  private CommandRunner runner;

  LazyRunner(Session session) {
    this.session = session;
  }

  @Override
  public synchronized CommandRunner get() throws RunnerException {
    if (runner == null) {
      runner = session.runner();
    }
    return runner;
  }

  @Override
  public synchronized void close() {
    if (runner != null) {
      runner.close();
    }
  }
}
