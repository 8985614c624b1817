package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code HEALTHCHECK NONE} or {@code HEALTHCHECK [--interval=...] [--timeout=...] [--start-period=...] [--start-interval=...] [--retries=...] CMD command}. Flag values are raw strings; the builder parses the durations.
 *
 * @param range source range of the instruction
 * @param flags builder flags
 * @param command the command after {@code CMD}, or {@code null} for {@code HEALTHCHECK NONE}
 */
public record Healthcheck(SourceRange range, List<Flag> flags, CommandForm command) implements Instruction {

  /** Validates non-null components and copies lists. */
  public Healthcheck {
    Objects.requireNonNull(range, "range");
    flags = List.copyOf(flags);
  }

  /** Docker's minimum for a non-zero health check duration (container.MinimumDuration). */
  public static final long MINIMUM_DURATION_NANOS = 1_000_000L;

  /** Returns {@code --interval} in nanoseconds, 0 when absent or 0 (inherit). */
  public long intervalNanos() {
    return durationNanos("interval");
  }

  /** Returns {@code --timeout} in nanoseconds, 0 when absent or 0 (inherit). */
  public long timeoutNanos() {
    return durationNanos("timeout");
  }

  /** Returns {@code --start-period} in nanoseconds, 0 when absent or 0 (inherit). */
  public long startPeriodNanos() {
    return durationNanos("start-period");
  }

  /** Returns {@code --start-interval} in nanoseconds, 0 when absent or 0 (inherit). */
  public long startIntervalNanos() {
    return durationNanos("start-interval");
  }

  /**
   * Returns {@code --retries}, 0 when absent.
   *
   * @throws IllegalArgumentException if the value is not a non-negative 32-bit integer (the parser
   *     already rejected such files)
   */
  public int retries() {
    String value = flag("retries").map(Flag::value).orElse("");
    if (value.isEmpty()) {
      return 0;
    }
    int retries;
    try {
      retries = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "strconv.ParseInt: parsing \"" + value + "\": invalid syntax", e);
    }
    if (retries < 0) {
      throw new IllegalArgumentException("--retries cannot be negative (" + retries + ")");
    }
    return retries;
  }

  /**
   * Returns a duration flag in nanoseconds with BuildKit's parseOptInterval rules: absent, empty
   * or zero means 0; otherwise a Go duration of at least {@link #MINIMUM_DURATION_NANOS}.
   *
   * @param name flag name without {@code --}
   * @throws IllegalArgumentException with BuildKit's message if the value is invalid (the parser
   *     already rejected such files)
   */
  public long durationNanos(String name) {
    String value = flag(name).map(Flag::value).orElse("");
    if (value.isEmpty()) {
      return 0;
    }
    long nanos = GoDurations.parseNanos(value);
    if (nanos != 0 && nanos < MINIMUM_DURATION_NANOS) {
      throw new IllegalArgumentException(
          "Interval \"" + name + "\" cannot be less than 1ms");
    }
    return nanos;
  }

  /** Returns whether this is {@code HEALTHCHECK NONE}, which disables an inherited check. */
  public boolean isNone() {
    return command == null;
  }

  @Override
  public String keyword() {
    return "HEALTHCHECK";
  }

  @Override
  public <R> R accept(InstructionVisitor<R> visitor) {
    return visitor.visitHealthcheck(this);
  }
}
