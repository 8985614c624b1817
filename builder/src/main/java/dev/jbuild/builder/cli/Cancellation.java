package dev.jbuild.builder.cli;

import dev.jbuild.layerstore.TempDir;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) or SIGTERM during a command: instead of the JVM's silent exit, which skips
 * every {@code finally} and so leaves the steps' {@code <store>/tmp/run-N} dirs behind, the
 * command's thread is interrupted (a running step's container is killed and its scratch dir
 * closed as the thread unwinds), what is still open is removed, and one line says so:
 * {@code build canceled (removed 1 scratch directory: /var/lib/jbuild/tmp/run-123)}. The exit
 * code is 130 for both signals, as a shell reports an interrupted command.
 *
 * <p>Installed for one command by {@link #install} and removed by {@link #close} when the
 * command ends by itself. While a cancellation runs, {@link #inProgress()} is true so that the
 * error handler does not print the interrupted build's own error.
 */
final class Cancellation implements AutoCloseable {
  /** How long the interrupted command gets to unwind, then its scratch dirs' owners. */
  private static final Duration GRACE = Duration.ofSeconds(10);
  static final int EXIT_CODE = 130;

  private static volatile boolean inProgress;

  private final String what;
  private final PrintStream err;
  private final Thread command;
  private final CountDownLatch commandDone = new CountDownLatch(1);
  private final Thread hook;

  private Cancellation(String what, PrintStream err) {
    this.what = what;
    this.err = err;
    this.command = Thread.currentThread();
    this.hook = new Thread(this::cancel, "jbuild-cancel");
  }

  /**
   * Until {@link #close}, a SIGINT or SIGTERM cancels the command running on this thread.
   *
   * @param what the command's noun in the message ({@code build})
   */
  static Cancellation install(String what, PrintStream err) {
    Cancellation c = new Cancellation(what, err);
    Runtime.getRuntime().addShutdownHook(c.hook);
    return c;
  }

  /** True once a signal started canceling the command. */
  static boolean inProgress() {
    return inProgress;
  }

  /** The command ended (by itself, or unwinding after the interrupt). */
  @Override
  public void close() {
    commandDone.countDown();
    if (!inProgress) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // The JVM is shutting down for another reason (System.exit): the hook runs anyway.
      }
    }
  }

  private void cancel() {
    if (commandDone.getCount() == 0) {
      return; // finished; the JVM exits for its own reasons
    }
    inProgress = true;
    List<Path> open = TempDir.openInThisProcess();
    List<Path> failed = new ArrayList<>();
    try {
      command.interrupt();
      commandDone.await(GRACE.toMillis(), TimeUnit.MILLISECONDS);
      failed.addAll(TempDir.closeAllOpen(GRACE));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Path> removed = new ArrayList<>();
    for (Path p : open) {
      if (!failed.contains(p) && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        removed.add(p);
      }
    }
    err.println();
    err.println(message(what, removed, failed));
    err.flush();
    // Both signals end with 130; halting also keeps the command thread, which is now waiting
    // in System.exit, from reporting anything after this line.
    Runtime.getRuntime().halt(EXIT_CODE);
  }

  /** The one line a canceled command prints. */
  static String message(String what, List<Path> removed, List<Path> failed) {
    StringBuilder line = new StringBuilder(what + " canceled");
    if (!removed.isEmpty()) {
      line.append(" (removed ").append(count(removed.size())).append(": ")
          .append(join(removed)).append(')');
    }
    if (!failed.isEmpty()) {
      line.append("; could not remove ").append(join(failed))
          .append(" ('jbuild prune' removes it once this process is gone)");
    }
    return line.toString();
  }

  private static String count(int n) {
    return n + (n == 1 ? " scratch directory" : " scratch directories");
  }

  private static String join(List<Path> paths) {
    List<String> names = new ArrayList<>();
    paths.forEach(p -> names.add(p.toString()));
    return String.join(", ", names);
  }
}
