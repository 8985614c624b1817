package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code RUN [--mount=...] [--network=...] [--security=...] command}: runs a command in the stage.
 *
 * @param range source range of the instruction
 * @param flags builder flags
 * @param command shell or exec form; with heredocs the shell form holds the line itself ({@code <<EOF bash})
 * @param heredocs the here-documents read after the line, in order (empty for the exec form)
 */
public record Run(SourceRange range, List<Flag> flags, CommandForm command, List<Heredoc> heredocs) implements Instruction {

  /** Validates non-null components and copies lists. */
  public Run {
    Objects.requireNonNull(range, "range");
    flags = List.copyOf(flags);
    Objects.requireNonNull(command, "command");
    heredocs = List.copyOf(heredocs);
  }

  @Override
  public String keyword() {
    return "RUN";
  }

  @Override
  public <R> R accept(InstructionVisitor<R> visitor) {
    return visitor.visitRun(this);
  }
}
