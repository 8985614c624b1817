package dev.jbuild.runner;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The end of a {@link ContainerRunner} run: what it set up is removed, and failures worded. */
final class RunCleanup {
  private RunCleanup() {}

  /**
   * Undoes what one run set up, in order: the mount-point stubs rrun left in the upperdir, the
   * cgroup (killing what is still in it), the bridge namespace (back to {@code bridge}'s pool) and
   * the run dir. Every step is tried even when an earlier one fails.
   *
   * @param status rrun's report, for the stubs; null if there is none
   * @param cgroup null in rootless mode
   * @param netns null unless the run used the bridge network
   * @param primary the run's own failure, if any: cleanup problems are added to it as suppressed
   *     instead of being thrown
   * @throws RunnerException if cleanup failed and there is no {@code primary}
   */
  static void after(ContainerSpec spec, Path runDir, HelperStatus status, Cgroup cgroup,
      BridgeNetwork bridge, BridgeNetwork.Namespace netns, RunnerException primary)
      throws RunnerException {
    List<Exception> problems = new ArrayList<>();
    if (status != null && !status.stubs.isEmpty()) {
      try {
        StubCleaner.clean(spec.upperDir().toAbsolutePath().normalize(), status.stubs);
      } catch (IOException e) {
        problems.add(e);
      }
    }
    if (cgroup != null) {
      try {
        // Also kills what PID 1's exit did not reach yet (or everything, after a timeout), so
        // nothing can still be using the network namespace when it goes back to the pool.
        cgroup.remove();
      } catch (RunnerException e) {
        problems.add(e);
      }
    }
    if (netns != null) {
      bridge.release(netns);
    }
    try {
      RunDirs.delete(runDir);
    } catch (IOException e) {
      problems.add(e);
    }
    if (problems.isEmpty()) {
      return;
    }
    if (primary != null) {
      problems.forEach(primary::addSuppressed);
      return;
    }
    RunnerException e = new RunnerException("Tried to clean up after running "
        + RunOutcomes.commandForMessages(spec) + " but failed because: "
        + problems.get(0).getMessage()
        + (problems.get(0) instanceof RunnerException ? "" : ". The upperdir may still contain "
        + "mount-point stubs; do not commit it as a layer."), problems.get(0));
    problems.stream().skip(1).forEach(e::addSuppressed);
    throw e;
  }
}
