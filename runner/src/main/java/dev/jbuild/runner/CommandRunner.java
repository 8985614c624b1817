package dev.jbuild.runner;

import java.io.OutputStream;
import java.time.Duration;

/**
 * Runs one command in a container described by a {@link ContainerSpec}: the seam between the
 * builder (RUN steps, {@code jbuild run}) and an isolation mode. {@link ContainerRunner} is the
 * namespaces mode (root, overlayfs, cgroups); other modes (rootless, chroot) and test doubles
 * implement this interface too.
 *
 * <p>Contract shared by every implementation:
 *
 * <ul>
 *   <li>For every runner but an {@link InPlaceRunner}, the container's root is {@link
 *       ContainerSpec#lowerDirs()} (read-only, top first) under {@link
 *       ContainerSpec#upperDir()}; every change the command makes lands in the upperdir in
 *       overlay form, and after {@code run} returns or throws the upperdir holds exactly the
 *       command's changes (no mount-point stubs), so the caller may diff it into a layer. For an
 *       {@link InPlaceRunner} it is {@link ContainerSpec#inPlaceRoot()}, changed in place, and
 *       no process of the command is left running when {@code run} returns.
 *   <li>A command that ran and failed is not an error: its {@link ExitStatus} says how it ended.
 *       {@link RunnerException} means the container could not be set up or the command not
 *       started ({@link RunnerException#stage()} tells which).
 *   <li>An interrupted run has killed and cleaned up its container before {@link
 *       InterruptedException} is thrown.
 *   <li>Output streams passed in are never closed.
 * </ul>
 *
 * <p>Implementations are thread-safe: concurrent runs are independent.
 */
public interface CommandRunner extends AutoCloseable {

  /**
   * Runs the command with stdin from /dev/null and its output copied to the given streams (not
   * closed). Blocks until the command exits.
   *
   * @throws RunnerException if the container could not be set up or the command not started
   * @throws InterruptedException if interrupted; the container has then been cleaned up
   */
  ExitStatus run(ContainerSpec spec, OutputStream stdout, OutputStream stderr)
      throws RunnerException, InterruptedException;

  /**
   * Like {@link #run(ContainerSpec, OutputStream, OutputStream)}, but kills the container and
   * throws a {@link RunnerException} if it has not finished within {@code timeout}.
   */
  ExitStatus run(ContainerSpec spec, OutputStream stdout, OutputStream stderr, Duration timeout)
      throws RunnerException, InterruptedException;

  /**
   * Runs the command attached to this JVM's stdout and stderr, and its stdin if {@code
   * interactive} (else /dev/null); with {@code tty} the command gets a pseudo-terminal of its
   * own ({@code jbuild run -it}).
   *
   * @throws RunnerException if the container could not be set up or the command not started, or
   *     if this mode cannot attach a terminal
   */
  ExitStatus runAttached(ContainerSpec spec, boolean interactive, boolean tty)
      throws RunnerException, InterruptedException;

  /**
   * Releases what the runner pools across runs (e.g. network namespaces). Runs in flight are not
   * affected; the runner must not be used afterwards.
   */
  @Override
  void close();
}
