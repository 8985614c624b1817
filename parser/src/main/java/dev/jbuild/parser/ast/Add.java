package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code ADD [--chown=...] [--chmod=...] [--link] [--keep-git-dir] [--checksum=...] [--unpack] [--exclude=...] src... dest}. Same shape as {@link Copy}; sources may also be URLs or Git references.
 *
 * @param range source range of the instruction
 * @param flags builder flags
 * @param sources the raw sources, at least one
 * @param destination the raw destination
 * @param heredocs here-documents used as sources, in order
 */
public record Add(SourceRange range, List<Flag> flags, List<String> sources, String destination, List<Heredoc> heredocs) implements Instruction {

  /** Validates non-null components and copies lists. */
  public Add {
    Objects.requireNonNull(range, "range");
    flags = List.copyOf(flags);
    sources = List.copyOf(sources);
    Objects.requireNonNull(destination, "destination");
    heredocs = List.copyOf(heredocs);
  }

  @Override
  public String keyword() {
    return "ADD";
  }

  @Override
  public <R> R accept(InstructionVisitor<R> visitor) {
    return visitor.visitAdd(this);
  }
}
