package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code STOPSIGNAL signal}: the signal sent to stop the container.
 *
 * @param range source range of the instruction
 * @param flags builder flags
 * @param signal the raw signal name or number
 */
public record StopSignal(SourceRange range, List<Flag> flags, String signal) implements Instruction {

  /** Validates non-null components and copies lists. */
  public StopSignal {
    Objects.requireNonNull(range, "range");
    flags = List.copyOf(flags);
    Objects.requireNonNull(signal, "signal");
  }

  @Override
  public String keyword() {
    return "STOPSIGNAL";
  }

  @Override
  public <R> R accept(InstructionVisitor<R> visitor) {
    return visitor.visitStopSignal(this);
  }
}
