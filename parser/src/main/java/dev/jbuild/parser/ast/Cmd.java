package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code CMD command}: the default command of the image.
 *
 * @param range source range of the instruction
 * @param flags builder flags
 * @param command shell or exec form
 */
public record Cmd(SourceRange range, List<Flag> flags, CommandForm command) implements Instruction {

  /** Validates non-null components and copies lists. */
  public Cmd {
    Objects.requireNonNull(range, "range");
    flags = List.copyOf(flags);
    Objects.requireNonNull(command, "command");
  }

  @Override
  public String keyword() {
    return "CMD";
  }

  @Override
  public <R> R accept(InstructionVisitor<R> visitor) {
    return visitor.visitCmd(this);
  }
}
