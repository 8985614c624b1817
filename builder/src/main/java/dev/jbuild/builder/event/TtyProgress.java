package dev.jbuild.builder.event;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * BuildKit's terminal view: a block redrawn in place with a header ({@code [+] Building 2.1s
 * (3/5)}) and one line per step with its time or {@code CACHED}; a running step shows its last
 * output lines beneath it. Messages ({@code writing image …}) print above the block.
 */
public final class TtyProgress implements BuildListener {
  private static final int OUTPUT_LINES = 4;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintStream out;
  private final int width;
  private final long start = System.nanoTime();
  private final Map<String, Step> steps = new LinkedHashMap<>();
  private final List<String> messages = new ArrayList<>();
  private int drawnLines;
  private long lastDraw;

  private static final class Step {
    final long started = System.nanoTime();
    long millis = -1;
    boolean cached;
    final List<String> tail = new ArrayList<>();
  }

  /** Renders to {@code out} (a terminal) assuming {@code width} columns. */
  public TtyProgress(PrintStream out, int width) {
    this.out = out;
    this.width = Math.max(40, width);
  }

  @Override
  public synchronized void stepStarted(String label) {
    steps.put(label, new Step());
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
      s.millis = millis;
      s.cached = cached;
    }
    redraw(true);
  }

  @Override
  public synchronized void info(String message) {
    messages.add(message);
    redraw(true);
  }

  /** Draws the final state; call once when the build ends. */
  public synchronized void close() {
    redraw(true);
  }

  private void redraw(boolean force) {
    long now = System.nanoTime();
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
    int done = 0;
    List<String> lines = new ArrayList<>();
    for (Map.Entry<String, Step> e : steps.entrySet()) {
      Step s = e.getValue();
      String status;
      if (s.millis >= 0) {
        done++;
        status = s.cached ? "CACHED" : seconds(s.millis);
      } else {
        status = seconds((now - s.started) / 1_000_000);
      }
      lines.add(fit("=> " + e.getKey(), status));
      if (s.millis < 0) {
        for (String t : s.tail) {
          lines.add(fit(" => => # " + t, ""));
        }
      }
    }
    sb.append(String.format(Locale.ROOT, "[+] Building %s (%d/%d)%n",
        seconds((now - start) / 1_000_000), done, steps.size()));
    for (String l : lines) {
      sb.append(l).append('\n');
    }
    drawnLines = lines.size() + 1;
    out.print(sb);
    out.flush();
  }

  private String fit(String text, String status) {
    int room = width - status.length() - 2;
    String t = text.replace('\t', ' ');
    if (t.length() > room) {
      t = t.substring(0, Math.max(0, room - 3)) + "...";
    }
    return t + " ".repeat(Math.max(1, width - t.length() - status.length() - 1)) + status;
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
  }
}
