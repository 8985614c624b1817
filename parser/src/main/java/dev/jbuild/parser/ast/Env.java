package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code ENV k=v ...} or the legacy {@code ENV k v}: sets environment variables. Keys and values are raw (quotes kept).
 *
 * @param range source range of the instruction
 * @param flags builder flags
 * @param pairs the pairs in source order, at least one
 * @param legacyForm whether the deprecated {@code ENV key value} form was used (lint LegacyKeyValueFormat)
 */
public record Env(SourceRange range, List<Flag> flags, List<KeyValue> pairs, boolean legacyForm) implements Instruction {

  /** Validates non-null components and copies lists. */
  public Env {
    Objects.requireNonNull(range, "range");
    flags = List.copyOf(flags);
    pairs = List.copyOf(pairs);
  }

  @Override
  public String keyword() {
    return "ENV";
  }

  @Override
  public <R> R accept(InstructionVisitor<R> visitor) {
    return visitor.visitEnv(this);
  }
}
