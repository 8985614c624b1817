package dev.jbuild.registry.http;

import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The time limits of one HTTP exchange (see {@link Timeouts}) and the notice when it goes quiet.
 * Waiters ask {@link #nextWaitNanos()} how long they may block, report bytes with
 * {@link #progress}, and call {@link #check} whenever a wait ended empty-handed: it throws once a
 * limit has passed and logs the notice once per silence. Used by the thread that waits for the
 * response and then by the one that reads its body, one after the other.
 */
final class ExchangeWatch {
  private static final long NONE = Long.MAX_VALUE / 4;

  private final String what;
  private final String host;
  private final long start = System.nanoTime();
  private final long deadlineNanos;
  private final long stallNanos;
  private final long noticeNanos;
  private final Consumer<String> notices;
  private volatile long lastProgress = start;
  private volatile long bytes;
  private volatile boolean noticed;

  private ExchangeWatch(String method, URI url, long deadlineNanos, long stallNanos,
      long noticeNanos, Consumer<String> notices) {
    // Path only: query strings of redirected blob URLs carry signatures.
    this.what = method + " " + url.getRawPath();
    this.host = url.getHost() + (url.getPort() == -1 ? "" : ":" + url.getPort());
    this.deadlineNanos = deadlineNanos;
    this.stallNanos = stallNanos;
    this.noticeNanos = noticeNanos;
    this.notices = notices;
  }

  /** A small request: everything must be done within {@code timeouts.request()}. */
  static ExchangeWatch deadline(String method, URI url, Timeouts timeouts,
      Consumer<String> notices) {
    return new ExchangeWatch(method, url, timeouts.request().toNanos(), NONE,
        timeouts.notice().toNanos(), notices);
  }

  /** A blob transfer: fails only after {@code timeouts.stall()} without progress. */
  static ExchangeWatch transfer(String method, URI url, Timeouts timeouts,
      Consumer<String> notices) {
    return new ExchangeWatch(method, url, NONE, timeouts.stall().toNanos(),
        timeouts.notice().toNanos(), notices);
  }

  /** {@code count} more bytes moved (either direction). */
  void progress(long count) {
    if (count > 0) {
      bytes += count;
      lastProgress = System.nanoTime();
      noticed = false;
    }
  }

  /** The response headers arrived: that is progress too, and the body's silence starts now. */
  void answered() {
    lastProgress = System.nanoTime();
    noticed = false;
  }

  /** How long a waiter may block before it must call {@link #check}; at least 1 ms. */
  long nextWaitNanos() {
    long now = System.nanoTime();
    long wait = Math.min(start + deadlineNanos - now, lastProgress + stallNanos - now);
    if (!noticed) {
      wait = Math.min(wait, lastProgress + noticeNanos - now);
    }
    return Math.max(1_000_000, wait);
  }

  /**
   * Called after a wait that brought nothing.
   *
   * @param waitingFor what the host was expected to do, for example "answer" or "send more of
   *     the response to"
   * @throws SocketTimeoutException if the deadline or the stall limit has passed
   */
  void check(String waitingFor) throws SocketTimeoutException {
    long now = System.nanoTime();
    if (now - start >= deadlineNanos) {
      throw new SocketTimeoutException(what + " did not complete within "
          + seconds(deadlineNanos));
    }
    if (now - lastProgress >= stallNanos) {
      throw new SocketTimeoutException(what + " stalled: no data for " + seconds(stallNanos)
          + " after " + bytes + " bytes");
    }
    if (!noticed && now - lastProgress >= noticeNanos) {
      noticed = true;
      String limit = deadlineNanos < NONE ? "gives up " + seconds(deadlineNanos) + " after the"
          + " start" : "gives up after " + seconds(stallNanos) + " without data";
      notices.accept("Still waiting for " + host + " to " + waitingFor + " " + what
          + " (nothing for " + seconds(now - lastProgress) + "; " + limit + ")");
    }
  }

  private static String seconds(long nanos) {
    Duration d = Duration.ofNanos(nanos);
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
  }
}
