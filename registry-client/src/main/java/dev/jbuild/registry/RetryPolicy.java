package dev.jbuild.registry;

import dev.jbuild.registry.http.BodyTooLargeException;
import dev.jbuild.registry.http.Response;
import dev.jbuild.registry.http.TooManyRedirectsException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try a failed registry operation again. Transient failures are retried: dropped or reset
 * connections, timeouts, truncated bodies, {@code 5xx}, {@code 408} and {@code 429}; nothing else
 * is (other {@code 4xx}, redirect loops, oversized answers, digest mismatches: trying again gets
 * the same answer, issue #10). A {@code Retry-After} header is honoured up to
 * {@link #maxRetryAfter}; otherwise the wait doubles from {@link #initialBackoff} up to
 * {@link #maxBackoff}, with jitter so that parallel transfers do not retry in lockstep.
 *
 * <p>Only idempotent requests are repeated as such; a blob upload is restarted from a new upload
 * session, and a blob download resumes where it stopped (or starts over) and is verified as a whole.
 *
 * @param maxAttempts attempts per operation, at least 1 (1 = no retries)
 * @param initialBackoff the first wait
 * @param maxBackoff the longest computed wait
 * @param maxRetryAfter the longest {@code Retry-After} obeyed; longer ones are capped
 */
public record RetryPolicy(
    int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {

  /** Validates. */
  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
  }

  /** 5 attempts, waits of 0.5, 1, 2, 4 s (±25 %), {@code Retry-After} up to 60 s. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(10),
        Duration.ofSeconds(60));
  }

  /** A single attempt. */
  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);
  }

  /**
   * How long to wait before attempt {@code failedAttempt + 1}.
   *
   * @param retryAfter the server's {@code Retry-After}, or null
   */
  Duration delay(int failedAttempt, Duration retryAfter) {
    if (retryAfter != null) {
      return retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter;
    }
    long base = initialBackoff.toMillis() << Math.min(20, failedAttempt - 1);
    long capped = Math.min(base, maxBackoff.toMillis());
    if (capped <= 0) {
      return Duration.ZERO;
    }
    long jitter = ThreadLocalRandom.current().nextLong(-capped / 4, capped / 4 + 1);
    return Duration.ofMillis(Math.max(0, capped + jitter));
  }

  /** Statuses worth retrying: timeouts, throttling and server-side failures. */
  static boolean isTransientStatus(int status) {
    return status == 408 || status == 429 || status == 500 || status == 502 || status == 503
        || status == 504;
  }

  /** {@code Retry-After} as delay-seconds or an HTTP date (RFC 9110 §10.2.3), or null. */
  static Duration retryAfter(Response response) {
    Optional<String> header = response.header("retry-after");
    if (header.isEmpty()) {
      return null;
    }
    String value = header.get().trim();
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return wait.isNegative() ? Duration.ZERO : wait;
      } catch (java.time.format.DateTimeParseException unparsable) {
        return null;
      }
    }
  }

  /**
   * Dropped, reset or stalled connections and truncated bodies are worth retrying; a refused
   * connection, an unknown host, a failed TLS handshake, a redirect loop or an oversized answer
   * will not change in a few seconds.
   */
  static boolean isTransientIo(IOException e) {
    return !(e instanceof ConnectException || e instanceof UnknownHostException
        || e instanceof TooManyRedirectsException || e instanceof BodyTooLargeException
        || e instanceof NoRouteToHostException || e instanceof javax.net.ssl.SSLHandshakeException
        || (e instanceof java.io.InterruptedIOException && !(e instanceof SocketTimeoutException)));
  }
}
