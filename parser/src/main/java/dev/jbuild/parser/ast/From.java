package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code FROM [--platform=p] image [AS name]}: starts a build stage.
 *
 * @param range source range of the instruction
 * @param flags builder flags
 * @param image the raw image reference (variables not expanded), {@code scratch} for an empty base
 * @param stageName the stage name from {@code AS name}, lower-cased, or {@code null}
 */
public record From(SourceRange range, List<Flag> flags, String image, String stageName) implements Instruction {

  /** Validates non-null components and copies lists. */
  public From {
    Objects.requireNonNull(range, "range");
    flags = List.copyOf(flags);
    Objects.requireNonNull(image, "image");
  }

  @Override
  public String keyword() {
    return "FROM";
  }

  @Override
  public <R> R accept(InstructionVisitor<R> visitor) {
    return visitor.visitFrom(this);
  }
}
