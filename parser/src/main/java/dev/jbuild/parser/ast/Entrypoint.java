package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code ENTRYPOINT command}: the entrypoint of the image.
 *
 * @param range source range of the instruction
 * @param flags builder flags
 * @param command shell or exec form
 */
public record Entrypoint(SourceRange range, List<Flag> flags, CommandForm command) implements Instruction {

  /** Validates non-null components and copies lists. */
  public Entrypoint {
    Objects.requireNonNull(range, "range");
    flags = List.copyOf(flags);
    Objects.requireNonNull(command, "command");
  }

  @Override
  public String keyword() {
    return "ENTRYPOINT";
  }

  @Override
  public <R> R accept(InstructionVisitor<R> visitor) {
    return visitor.visitEntrypoint(this);
  }
}
