package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code SHELL ["executable", "param"...]}: the shell used by later shell-form commands (JSON form only).
 *
 * @param range source range of the instruction
 * @param flags builder flags
 * @param shell the decoded JSON array, never empty
 */
public record Shell(SourceRange range, List<Flag> flags, List<String> shell) implements Instruction {

  /** Validates non-null components and copies lists. */
  public Shell {
    Objects.requireNonNull(range, "range");
    flags = List.copyOf(flags);
    shell = List.copyOf(shell);
  }

  @Override
  public String keyword() {
    return "SHELL";
  }

  @Override
  public <R> R accept(InstructionVisitor<R> visitor) {
    return visitor.visitShell(this);
  }
}
