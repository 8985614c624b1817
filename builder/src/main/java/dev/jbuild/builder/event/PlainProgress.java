package dev.jbuild.builder.event;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * BuildKit's {@code --progress=plain} rendering: each step gets a number ({@code #3}), its output
 * lines are prefixed with that number, and it ends with {@code DONE 0.3s} or {@code CACHED}.
 */
public final class PlainProgress implements BuildListener {
  private final PrintStream out;
  private final AtomicInteger next = new AtomicInteger(1);
  private final Map<String, Integer> numbers = new ConcurrentHashMap<>();

  /** Renders to {@code out}; does not close it. */
  public PlainProgress(PrintStream out) {
    this.out = out;
  }

  private int number(String label) {
    return numbers.computeIfAbsent(label, l -> next.getAndIncrement());
  }

  @Override
  public void stepStarted(String label) {
    synchronized (out) {
      out.println();
      out.println("#" + number(label) + " " + label);
    }
  }

  @Override
  public void stepOutput(String label, String line) {
    synchronized (out) {
      out.println("#" + number(label) + " " + line);
    }
  }

  @Override
  public void stepFinished(String label, long millis, boolean cached) {
    synchronized (out) {
      out.println("#" + number(label)
          + (cached ? " CACHED" : String.format(Locale.ROOT, " DONE %.1fs", millis / 1000.0)));
    }
  }

  @Override
  public void info(String message) {
    synchronized (out) {
      out.println(message);
    }
  }
}
