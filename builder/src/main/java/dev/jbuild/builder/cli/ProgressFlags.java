package dev.jbuild.builder.cli;

import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.builder.event.JsonProgress;
import dev.jbuild.builder.event.PlainProgress;
import dev.jbuild.builder.event.TtyProgress;
import java.io.PrintStream;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code jbuild build --progress}, mixed into {@link BuildCommand}: which {@link BuildListener}
 * shows the build, and the terminal width the tty display follows.
 */
final class ProgressFlags {
  @Option(names = "--progress", paramLabel = "TYPE", defaultValue = "auto",
      description = "auto (tty on a terminal, else plain), tty, plain, rawjson or quiet"
          + " (nothing but errors).")
  String progress;

  /**
   * Checks the value before anything is built.
   *
   * @throws IllegalArgumentException one line naming the bad value
   */
  void check() {
    if (!List.of("auto", "tty", "plain", "rawjson", "quiet").contains(progress)) {
      throw new IllegalArgumentException("invalid --progress '" + progress
          + "': expected auto, tty, plain, rawjson or quiet");
    }
  }

  /**
   * The listener that shows the build on {@code err}; none with {@code quiet} ({@code -q}). The
   * caller closes a {@link TtyProgress} when the build ends.
   */
  BuildListener listener(boolean quiet, PrintStream err) {
    if (quiet || progress.equals("quiet")) {
      return BuildListener.NONE;
    }
    boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
    switch (progress) {
      case "rawjson":
        return new JsonProgress(err);
      case "tty":
        return resizable(new TtyProgress(err, columns()));
      case "auto":
        return terminal ? resizable(new TtyProgress(err, columns())) : new PlainProgress(err);
      default:
        return new PlainProgress(err);
    }
  }

  /**
   * The terminal's width: the size of the terminal on stderr (where progress goes) or stdout
   * ({@code TIOCGWINSZ}; an interactive bash does not export {@code $COLUMNS}), else {@code
   * $COLUMNS}, else 80 as BuildKit assumes.
   */
  static int columns() {
    for (int fd : new int[] {2, 1}) {
      int cols = dev.jbuild.layerstore.posix.Posix.terminalColumns(fd);
      if (cols > 0) {
        return cols;
      }
    }
    String c = System.getenv("COLUMNS");
    return c != null && c.matches("\\d{2,4}") ? Integer.parseInt(c) : 80;
  }

  /** Follows the terminal's size: SIGWINCH, which the JVM leaves alone, re-reads it. */
  @SuppressWarnings("sunapi")
  private static TtyProgress resizable(TtyProgress tty) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), sig -> tty.setWidth(columns()));
    } catch (IllegalArgumentException e) {
      // No SIGWINCH here: the width stays what it was at the start.
    }
    return tty;
  }
}
