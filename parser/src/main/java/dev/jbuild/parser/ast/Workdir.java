package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code WORKDIR path}: sets the working directory (relative to the previous one).
 *
 * @param range source range of the instruction
 * @param flags builder flags
 * @param path the raw path (variables not expanded)
 */
public record Workdir(SourceRange range, List<Flag> flags, String path) implements Instruction {

  /** Validates non-null components and copies lists. */
  public Workdir {
    Objects.requireNonNull(range, "range");
    flags = List.copyOf(flags);
    Objects.requireNonNull(path, "path");
  }

  @Override
  public String keyword() {
    return "WORKDIR";
  }

  @Override
  public <R> R accept(InstructionVisitor<R> visitor) {
    return visitor.visitWorkdir(this);
  }
}
