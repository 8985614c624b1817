package dev.jbuild.runner;

/**
 * Turns what rrun reported for a run into an {@link ExitStatus}, or into a {@link
 * RunnerException} that says which stage failed (a timeout, a setup step, exec) for the command.
 */
final class RunOutcomes {

  private RunOutcomes() {}

  /**
   * The command's exit status, with the cgroup's OOM verdict and memory limit.
   *
   * @throws RunnerException if the run timed out, the helper failed before or at exec, or it
   *     ended without a status
   */
  static ExitStatus exitStatus(ContainerSpec spec, RrunInvocation.Outcome outcome,
      Cgroup cgroup) throws RunnerException {
    HelperStatus status = outcome.status();
    String command = commandForMessages(spec);
    if (outcome.timedOut()) {
      throw new RunnerException("Tried to run " + command + " but it did not finish in time, so "
          + "the container was killed. Raise the timeout if the step legitimately takes longer.");
    }
    if (status.failure != null) {
      HelperStatus.Failure f = status.failure;
      String detail = f.stage() + ": " + f.message()
          + (f.errno() != 0 ? " (errno " + f.errno() + ")" : "");
      String message = "exec".equals(f.stage())
          ? "Tried to run " + command + " in the container but failed because: " + detail
          : "Tried to start the container for " + command + " but failed because: " + detail;
      throw new RunnerException(message, f.stage(), f.errno(), f.message(), null);
    }
    boolean oom = cgroup != null && cgroup.oomKilled();
    long limit = cgroup == null ? 0 : cgroup.memoryLimit();
    if (status.commandKilledBy != null) {
      return new ExitStatus(128 + status.commandKilledBy, status.commandKilledBy, oom, limit);
    }
    if (status.exit != null) {
      return new ExitStatus(status.exit, 0, oom, limit);
    }
    if (status.signal != null) {
      return new ExitStatus(128 + status.signal, status.signal, oom, limit);
    }
    throw new RunnerException("Tried to run " + command + " but the container helper ended "
        + "without reporting a status (exit code " + outcome.helperExitCode() + ")");
  }

  /** The command as messages show it: {@code [argv joined]}, cut after 200 characters. */
  static String commandForMessages(ContainerSpec spec) {
    String joined = String.join(" ", spec.args());
    return "[" + (joined.length() > 200 ? joined.substring(0, 200) + "…" : joined) + "]";
  }
}
