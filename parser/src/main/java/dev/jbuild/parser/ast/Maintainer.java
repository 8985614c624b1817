package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code MAINTAINER name} (deprecated): sets the image author.
 *
 * @param range source range of the instruction
 * @param flags builder flags
 * @param name the raw text
 */
public record Maintainer(SourceRange range, List<Flag> flags, String name) implements Instruction {

  /** Validates non-null components and copies lists. */
  public Maintainer {
    Objects.requireNonNull(range, "range");
    flags = List.copyOf(flags);
    Objects.requireNonNull(name, "name");
  }

  @Override
  public String keyword() {
    return "MAINTAINER";
  }

  @Override
  public <R> R accept(InstructionVisitor<R> visitor) {
    return visitor.visitMaintainer(this);
  }
}
