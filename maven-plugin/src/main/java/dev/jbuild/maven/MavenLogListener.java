package dev.jbuild.maven;

import dev.jbuild.builder.event.BuildListener;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.maven.plugin.logging.Log;

/**
 * Build progress as Maven log lines, in the shape of BuildKit's {@code --progress=plain} (as
 * {@code PlainProgress} prints it): {@code #3 [2/4] RUN make}, the step's output lines prefixed
 * with {@code #3}, then {@code #3 DONE 0.3s} or {@code #3 CACHED}. Everything is {@code [INFO]}
 * except the builder's {@code WARN}/{@code WARNING} lines, which are {@code [WARNING]}. A failure
 * is not logged here: the mojo throws it, and Maven prints it as one {@code [ERROR]} line.
 *
 * <p>Thread-safe: stages report from their own threads.
 */
final class MavenLogListener implements BuildListener {
  private final Log log;
  private final AtomicInteger next = new AtomicInteger(1);
  private final Map<String, Integer> numbers = new ConcurrentHashMap<>();

  MavenLogListener(Log log) {
    this.log = log;
  }

  private int number(String label) {
    return numbers.computeIfAbsent(label, l -> next.getAndIncrement());
  }

  @Override
  public void stepStarted(String label) {
    line("#" + number(label) + " " + label);
  }

  @Override
  public void stepOutput(String label, String line) {
    line("#" + number(label) + " " + line);
  }

  @Override
  public void stepFinished(String label, long millis, boolean cached) {
    line("#" + number(label)
        + (cached ? " CACHED" : String.format(Locale.ROOT, " DONE %.1fs", millis / 1000.0)));
  }

  @Override
  public void info(String message) {
    if (message.startsWith("WARN: ") || message.startsWith("WARNING: ")) {
      synchronized (log) {
        log.warn(message.substring(message.indexOf(' ') + 1));
      }
    } else {
      line(message);
    }
  }

  private void line(String text) {
    // One lock: lines of parallel stages never interleave within a line.
    synchronized (log) {
      log.info(text);
    }
  }
}
