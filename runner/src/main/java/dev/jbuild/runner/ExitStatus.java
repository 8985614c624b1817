package dev.jbuild.runner;

/**
 * How a container's command ended.
 *
 * @param exitCode the exit code; 128+signal if the command was killed by a signal (shell style)
 * @param signal the signal that killed the command, 0 if it exited normally
 * @param oomKilled true if the kernel's OOM killer killed a process of the container
 * @param memoryLimitBytes the container's memory limit, 0 if it had none (for messages)
 */
public record ExitStatus(int exitCode, int signal, boolean oomKilled, long memoryLimitBytes) {

  /** Without a memory limit to report. */
  public ExitStatus(int exitCode, int signal, boolean oomKilled) {
    this(exitCode, signal, oomKilled, 0);
  }

  /** A normal exit with the given code. */
  public static ExitStatus exited(int exitCode) {
    return new ExitStatus(exitCode, 0, false, 0);
  }

  /** True if the command exited with code 0. */
  public boolean success() {
    return exitCode == 0 && signal == 0 && !oomKilled;
  }

  /**
   * E.g. "out of memory (limit 64 MiB)", for messages such as "RUN step killed: out of memory
   * (limit 64 MiB)"; "out of memory" when there was no limit.
   */
  public String outOfMemoryDetail() {
    return memoryLimitBytes > 0 ? "out of memory (limit " + formatBytes(memoryLimitBytes) + ")"
        : "out of memory";
  }

  /**
   * E.g. "exit code 3", "killed by signal 9",
   * "killed by signal 9: out of memory (limit 64 MiB)".
   */
  public String describe() {
    String base = signal != 0 ? "killed by signal " + signal : "exit code " + exitCode;
    return oomKilled ? base + ": " + outOfMemoryDetail() : base;
  }

  /** 64 MiB, 1.5 GiB, 1000 bytes: binary units, one decimal when not whole. */
  static String formatBytes(long bytes) {
    String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    String number = Math.floor(value) == value ? Long.toString((long) value)
        : String.format(java.util.Locale.ROOT, "%.1f", value);
    return number + " " + units[unit];
  }
}
