package dev.jbuild.registry;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try a failed registry operation again. Transient failures are retried: dropped or reset
 * connections, timeouts, truncated bodies, {@code 5xx} and {@code 429}. A {@code Retry-After}
 * header is honoured up to {@link #maxRetryAfter}; otherwise the wait doubles from
 * {@link #initialBackoff} up to {@link #maxBackoff}, with jitter so that parallel transfers do not
 * retry in lockstep.
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
}
