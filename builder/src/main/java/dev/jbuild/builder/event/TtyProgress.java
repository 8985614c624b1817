package dev.jbuild.builder.event;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * BuildKit's terminal view, redrawn in place: a header ({@code [+] Building 2.1s (3/5)}, {@code
 * FINISHED} once everything is done), one line per step ({@code  => CACHED [2/4] RUN make}) with
 * its time right-aligned, the running step's last output lines ({@code  => => # …}) beneath it,
 * and {@code exporting to image} as a step of its own with {@code writing image …} and {@code
 * naming to …} under it. Messages such as warnings print above the block.
 *
 * <p>The layout is ported from BuildKit v0.8's {@code util/progress/progressui/display.go} (the
 * one docker 20.10 ships): names are cut, never wrapped, so that every line is at most {@code
 * width - 1} columns and the terminal never wraps one (a wrapped line would break the cursor-up
 * redraw); the timer is {@code " %.1fs"}, 0.0s under 0.05 s; output lines get {@code width - 10}
 * columns. A step that waits for another stage ({@link #waiting}) is hidden and its time does not
 * run, as BuildKit shows a vertex only once it has started.
 */
public final class TtyProgress implements BuildListener {
  private static final int OUTPUT_LINES = 6; // BuildKit's termHeight
  private static final int OUTPUT_PAD = 10; // BuildKit's termPad
  private static final long REDRAW_NANOS = 100_000_000L;
  static final String EXPORT = "exporting to image";

  private final PrintStream out;
  private final LongSupplier clock;
  private final long start;
  private final Map<String, Step> steps = new LinkedHashMap<>();
  private final Map<Thread, Step> byThread = new IdentityHashMap<>();
  private final List<String> messages = new ArrayList<>();
  private int width;
  private int drawnLines;
  private long lastDraw;

  private static final class Step {
    final String name;
    long activeNanos;
    long resumedAt;
    boolean waiting;
    boolean waited;
    long millis = -1;
    boolean cached;
    final List<String> tail = new ArrayList<>();
    final List<String> statuses = new ArrayList<>();

    Step(String name, long now) {
      this.name = name;
      this.resumedAt = now;
    }

    long elapsedNanos(long now) {
      return activeNanos + (waiting ? 0 : now - resumedAt);
    }
  }

  /** Renders to {@code out} (a terminal) assuming {@code width} columns. */
  public TtyProgress(PrintStream out, int width) {
    this(out, width, System::nanoTime);
  }

  /** As {@link #TtyProgress(PrintStream, int)}, timed by {@code clock} (nanoseconds; tests). */
  TtyProgress(PrintStream out, int width, LongSupplier clock) {
    this.out = out;
    this.width = Math.max(40, width);
    this.clock = clock;
    this.start = clock.getAsLong();
  }

  /** The terminal was resized (SIGWINCH): later frames use {@code columns}. */
  public synchronized void setWidth(int columns) {
    if (columns > 0) {
      width = Math.max(40, columns);
      redraw(true);
    }
  }

  @Override
  public synchronized void stepStarted(String label) {
    Step s = new Step(label, clock.getAsLong());
    steps.put(label, s);
    byThread.put(Thread.currentThread(), s);
    redraw(true);
  }

  @Override
  public synchronized void stepOutput(String label, String line) {
    Step s = steps.get(label);
    if (s != null) {
      s.tail.add(line);
      if (s.tail.size() > OUTPUT_LINES) {
        s.tail.remove(0);
      }
    }
    redraw(false);
  }

  @Override
  public synchronized void stepFinished(String label, long millis, boolean cached) {
    Step s = steps.get(label);
    if (s != null) {
      // The executor's time includes a wait for another stage; BuildKit shows the step's own.
      s.millis = s.waited ? s.elapsedNanos(clock.getAsLong()) / 1_000_000 : millis;
      s.cached = cached;
      s.waiting = false;
      byThread.values().remove(s);
    }
    redraw(true);
  }

  @Override
  public synchronized void waiting(boolean waiting) {
    Step s = byThread.get(Thread.currentThread());
    if (s == null || s.waiting == waiting || s.millis >= 0) {
      return;
    }
    long now = clock.getAsLong();
    if (waiting) {
      s.activeNanos += now - s.resumedAt;
      s.waited = true;
    } else {
      s.resumedAt = now;
    }
    s.waiting = waiting;
    redraw(true);
  }

  @Override
  public synchronized void info(String message) {
    // The image's last steps, which BuildKit shows under its "exporting to image" vertex.
    if (message.startsWith("writing image ") || message.startsWith("naming to ")) {
      Step export = steps.computeIfAbsent(EXPORT, n -> new Step(n, clock.getAsLong()));
      export.statuses.add(message.endsWith(" done")
          ? message.substring(0, message.length() - " done".length()) : message);
    } else {
      messages.add(message);
    }
    redraw(true);
  }

  /** Draws the final state; call once when the build ends. */
  public synchronized void close() {
    Step export = steps.get(EXPORT);
    if (export != null && export.millis < 0) {
      export.millis = export.elapsedNanos(clock.getAsLong()) / 1_000_000;
    }
    redraw(true);
  }

  private void redraw(boolean force) {
    long now = clock.getAsLong();
    if (!force && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < drawnLines; i++) {
      sb.append("\033[1A\033[2K");
    }
    sb.append('\r');
    for (String m : messages) {
      sb.append(m).append('\n');
    }
    messages.clear();
    List<String> lines = frame(now);
    for (String l : lines) {
      sb.append(l).append('\n');
    }
    drawnLines = lines.size();
    out.print(sb);
    out.flush();
  }

  /** The block as it looks at {@code now}: the header, then the steps' lines. */
  synchronized List<String> frame(long now) {
    int done = 0;
    List<String> lines = new ArrayList<>();
    for (Step s : steps.values()) {
      if (s.millis >= 0) {
        done++;
      } else if (s.waiting) {
        continue; // not started in BuildKit's sense: waiting for another stage
      }
      long millis = s.cached ? 0 : s.millis >= 0 ? s.millis : s.elapsedNanos(now) / 1_000_000;
      String name = (s.cached ? "CACHED " : "") + s.name;
      lines.add(job(name, millis));
      for (String status : s.statuses) {
        lines.add(job("=> " + status, 0));
      }
      if (s.millis < 0) {
        for (String t : s.tail) {
          lines.add(" => => # " + cut(printable(t), width - OUTPUT_PAD));
        }
      }
    }
    String status = done > 0 && done == steps.size() ? "FINISHED" : "";
    String header = String.format(Locale.ROOT, "[+] Building %.1fs (%d/%d) %s",
        (now - start) / 1e9, done, steps.size(), status);
    lines.add(0, cut(header, width - 1).stripTrailing());
    return lines;
  }

  /** {@code " => name"} cut to fit, padded, then the timer, in {@code width - 1} columns. */
  private String job(String name, long millis) {
    double seconds = millis < 50 ? 0 : millis / 1000.0;
    String timer = String.format(Locale.ROOT, " %.1fs", seconds);
    String left = " => " + cut(printable(name), width - 4 - (timer.length() + 1) - 1);
    int pad = width - (timer.length() + 1) - 1;
    return left + " ".repeat(Math.max(0, pad - left.length())) + " " + timer;
  }

  private static String cut(String s, int max) {
    return s.length() > max ? s.substring(0, Math.max(0, max)) : s;
  }

  /** Tabs and control characters (from a step's output) become spaces, never terminal codes. */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c >= 0x7f && c <= 0x9f ? ' ' : c);
    }
    return b.toString();
  }
}
