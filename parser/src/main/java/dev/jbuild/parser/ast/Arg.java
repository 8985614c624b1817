package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code ARG name[=default] ...}: declares build arguments (global before the first FROM, stage-scoped after).
 *
 * @param range source range of the instruction
 * @param flags builder flags
 * @param args the declarations, at least one
 */
public record Arg(SourceRange range, List<Flag> flags, List<ArgDecl> args) implements Instruction {

  /** Validates non-null components and copies lists. */
  public Arg {
    Objects.requireNonNull(range, "range");
    flags = List.copyOf(flags);
    args = List.copyOf(args);
  }

  @Override
  public String keyword() {
    return "ARG";
  }

  @Override
  public <R> R accept(InstructionVisitor<R> visitor) {
    return visitor.visitArg(this);
  }
}
