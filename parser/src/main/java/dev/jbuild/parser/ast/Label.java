package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code LABEL k=v ...} (or the legacy {@code LABEL k v}): sets image labels. Keys and values are raw (quotes kept).
 *
 * @param range source range of the instruction
 * @param flags builder flags
 * @param pairs the pairs in source order, at least one
 * @param legacyForm whether the deprecated {@code LABEL key value} form was used
 */
public record Label(SourceRange range, List<Flag> flags, List<KeyValue> pairs, boolean legacyForm) implements Instruction {

  /** Validates non-null components and copies lists. */
  public Label {
    Objects.requireNonNull(range, "range");
    flags = List.copyOf(flags);
    pairs = List.copyOf(pairs);
  }

  @Override
  public String keyword() {
    return "LABEL";
  }

  @Override
  public <R> R accept(InstructionVisitor<R> visitor) {
    return visitor.visitLabel(this);
  }
}
