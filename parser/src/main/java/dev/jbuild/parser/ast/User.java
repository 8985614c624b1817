package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code USER user[:group]}: sets the user for later RUN, WORKDIR and the runtime command.
 *
 * @param range source range of the instruction
 * @param flags builder flags
 * @param user the raw user specification
 */
public record User(SourceRange range, List<Flag> flags, String user) implements Instruction {

  /** Validates non-null components and copies lists. */
  public User {
    Objects.requireNonNull(range, "range");
    flags = List.copyOf(flags);
    Objects.requireNonNull(user, "user");
  }

  @Override
  public String keyword() {
    return "USER";
  }

  @Override
  public <R> R accept(InstructionVisitor<R> visitor) {
    return visitor.visitUser(this);
  }
}
