package dev.jbuild.registry.http;

import java.time.Duration;
import java.util.Objects;

/**
 * How long {@link HttpExecutor} waits. Two kinds of requests are timed differently (issue #10: a
 * registry that accepts connections and never answers used to hold a pull for 5 minutes per try):
 *
 * <ul>
 *   <li>Small requests (manifests, tokens, {@code HEAD}s, upload starts, everything not marked
 *       {@link Request#asTransfer()}) have an overall {@link #request} deadline, from sending to
 *       the last byte of the body, so a server that trickles a byte now and then cannot hold them
 *       either.
 *   <li>Blob transfers have no overall deadline, since a large layer over a slow line may take
 *       an hour; they fail after {@link #stall} without progress (no byte received, no byte of the
 *       request body taken). A slow but moving transfer continues.
 * </ul>
 *
 * <p>Either way, after {@link #notice} without progress one line is logged (slf4j, INFO) saying
 * which host is being waited for and for which request, once per silence.
 *
 * @param connect the TCP (and TLS) connect timeout
 * @param request the overall deadline of a small request
 * @param stall the longest silence of a blob transfer
 * @param notice the silence after which the wait is reported
 */
public record Timeouts(Duration connect, Duration request, Duration stall, Duration notice) {
  /** Validates. */
  public Timeouts {
    for (Duration d : new Duration[] {connect, request, stall, notice}) {
      Objects.requireNonNull(d, "timeout");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("timeouts must be positive: " + d);
      }
    }
  }

  /** The pre-issue-#10 shape: {@code read} as both deadline and stall limit, notices after 10 s. */
  public static Timeouts of(Duration connect, Duration read) {
    return new Timeouts(connect, read, read, Duration.ofSeconds(10));
  }
}
