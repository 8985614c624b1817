package dev.jbuild.maven;

import dev.jbuild.builder.exec.RunnerSource;
import dev.jbuild.layerstore.posix.Posix;
import dev.jbuild.runner.CommandRunner;
import dev.jbuild.runner.ContainerRunner;
import dev.jbuild.runner.RunnerException;
import java.nio.file.Path;

/**
 * The container runner of RUN steps, created on the first RUN (a fully cached build never pays
 * for it) and closed after the build. An in-process build runs inside Maven's JVM, which it cannot
 * start again in a user namespace as the {@code jbuild} command does for a non-root user; so it
 * runs RUN steps as root of the host (namespaces mode), or rootless when Maven itself already runs
 * as root of a user namespace (for example under {@code unshare -r} with subordinate ids, or
 * rootlesskit). Every other case builds through the command in a child JVM ({@link CliChild}).
 * Thread-safe.
 */
final class PluginRunner implements RunnerSource, AutoCloseable {
  private final Path stateDir;
  private CommandRunner runner;

  PluginRunner(Path storeRoot) {
    this.stateDir = storeRoot.resolve("runner");
  }

  @Override
  public synchronized CommandRunner get() throws RunnerException {
    if (runner == null) {
      if (!Posix.isRoot()) {
        throw new RunnerException("Tried to start a container for a RUN step but failed because:"
            + " the jbuild Maven plugin runs RUN steps only as root (namespaces mode) or as root"
            + " of a user namespace; run Maven as root, or build with the jbuild command, which"
            + " enters rootless mode by itself");
      }
      runner = Posix.inUserNamespace() ? ContainerRunner.createRootless(stateDir)
          // Builds share the machine-wide bridge namespaces, as the jbuild command's do.
          : ContainerRunner.create(stateDir, true);
    }
    return runner;
  }

  @Override
  public synchronized void close() {
    if (runner != null) {
      runner.close();
      runner = null;
    }
  }
}
