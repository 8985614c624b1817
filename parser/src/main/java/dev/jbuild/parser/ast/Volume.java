package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code VOLUME path...} or {@code VOLUME ["path", ...]}: declares volumes.
 *
 * @param range source range of the instruction
 * @param flags builder flags
 * @param paths raw paths (JSON-decoded for the JSON form), none empty
 */
public record Volume(SourceRange range, List<Flag> flags, List<String> paths) implements Instruction {

  /** Validates non-null components and copies lists. */
  public Volume {
    Objects.requireNonNull(range, "range");
    flags = List.copyOf(flags);
    paths = List.copyOf(paths);
  }

  @Override
  public String keyword() {
    return "VOLUME";
  }

  @Override
  public <R> R accept(InstructionVisitor<R> visitor) {
    return visitor.visitVolume(this);
  }
}
