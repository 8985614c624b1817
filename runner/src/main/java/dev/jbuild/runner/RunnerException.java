package dev.jbuild.runner;

/**
 * A container could not be set up or run. The message is meant for users ("Tried to X but failed
 * because: Y"). A command that runs and fails is not an exception; see {@link ExitStatus}.
 *
 * <p>When the failure comes from the helper, {@link #stage()} names the setup step that failed
 * (e.g. "mount overlay", "user", "exec") and {@link #errno()} its errno. Stage {@code "exec"} with
 * errno 2 (ENOENT) is "command not found"; the helper then exits 127, as a shell would.
 */
public class RunnerException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String stage;
  private final int errno;
  private final String detail;

  public RunnerException(String message) {
    this(message, null, 0, null);
  }

  public RunnerException(String message, Throwable cause) {
    this(message, null, 0, cause);
  }

  public RunnerException(String message, String stage, int errno, Throwable cause) {
    this(message, stage, errno, null, cause);
  }

  /**
   * A failure the helper reported.
   *
   * @param detail the helper's own words for it, without stage or errno (see {@link #detail()})
   */
  public RunnerException(String message, String stage, int errno, String detail,
      Throwable cause) {
    super(message, cause);
    this.stage = stage;
    this.errno = errno;
    this.detail = detail;
  }

  /**
   * The helper's own message for the failed stage (e.g. for {@link BindMount#SUBPATH_STAGE}:
   * {@code /cache: source "sel" is a symbolic link or passes through one}), or null.
   */
  public String detail() {
    return detail;
  }

  /** The helper's setup stage that failed, or null if the failure was on the Java side. */
  public String stage() {
    return stage;
  }

  /** The errno reported by the helper, or 0. */
  public int errno() {
    return errno;
  }

  /** True if the command could not be found in the container (a shell reports exit code 127). */
  public boolean commandNotFound() {
    return "exec".equals(stage) && (errno == 2 || errno == 20);
  }
}
