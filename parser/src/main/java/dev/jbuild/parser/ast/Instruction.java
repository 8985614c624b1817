package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Optional;

/**
 * One Dockerfile instruction, syntax only: arguments are raw source text except where noted on each
 * record, and nothing is expanded. Every instruction knows where it came from ({@link #range()},
 * spanning continuation lines and heredoc bodies) and the builder flags written before its
 * arguments ({@link #flags()}, already validated against the instruction's known flags).
 *
 * <p>Dispatch with {@link #accept(InstructionVisitor)}; instances are immutable.
 */
public sealed interface Instruction
    permits From,
        Run,
        Cmd,
        Entrypoint,
        Shell,
        Copy,
        Add,
        Env,
        Label,
        Arg,
        Workdir,
        User,
        Expose,
        Volume,
        StopSignal,
        Healthcheck,
        Onbuild,
        Maintainer {

  /** Returns the source range of the whole instruction. */
  SourceRange range();

  /** Returns the builder flags in source order (possibly empty). */
  List<Flag> flags();

  /** Returns the instruction keyword in upper case, for example {@code "COPY"}. */
  String keyword();

  /**
   * Calls the visitor method for this instruction's type.
   *
   * @param visitor the visitor
   * @param <R> the visitor's result type
   * @return what the visitor returned
   */
  <R> R accept(InstructionVisitor<R> visitor);

  /**
   * Returns the value of the last flag with the given name.
   *
   * @param name flag name without {@code --}
   * @return the flag, if present
   */
  default Optional<Flag> flag(String name) {
    Flag found = null;
    for (Flag f : flags()) {
      if (f.name().equals(name)) {
        found = f;
      }
    }
    return Optional.ofNullable(found);
  }
}
