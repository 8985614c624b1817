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
