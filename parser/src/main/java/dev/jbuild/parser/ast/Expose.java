package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code EXPOSE port[/proto] ...}: documents exposed ports.
 *
 * @param range source range of the instruction
 * @param flags builder flags
 * @param ports the raw, whitespace-separated port words (expansion may split them further)
 */
public record Expose(SourceRange range, List<Flag> flags, List<String> ports) implements Instruction {

  /** Validates non-null components and copies lists. */
  public Expose {
    Objects.requireNonNull(range, "range");
    flags = List.copyOf(flags);
    ports = List.copyOf(ports);
  }

  @Override
  public String keyword() {
    return "EXPOSE";
  }

  @Override
  public <R> R accept(InstructionVisitor<R> visitor) {
    return visitor.visitExpose(this);
  }
}
