package dev.jbuild.runner;

/**
 * How a container's command ended.
 *
 * @param exitCode the exit code; 128+signal if the command was killed by a signal (shell style)
 * @param signal the signal that killed the command, 0 if it exited normally
 * @param oomKilled true if the kernel's OOM killer killed a process of the container (only known
 *     when a memory limit was set)
 */
public record ExitStatus(int exitCode, int signal, boolean oomKilled) {

  /** A normal exit with the given code. */
  public static ExitStatus exited(int exitCode) {
    return new ExitStatus(exitCode, 0, false);
  }

  /** True if the command exited with code 0. */
  public boolean success() {
    return exitCode == 0 && signal == 0 && !oomKilled;
  }

  /** E.g. "exit code 3", "killed by signal 9", "killed by signal 9 (out of memory)". */
  public String describe() {
    String base = signal != 0 ? "killed by signal " + signal : "exit code " + exitCode;
    return oomKilled ? base + " (out of memory)" : base;
  }
}
