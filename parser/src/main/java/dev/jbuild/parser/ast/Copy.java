package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code COPY [--from=...] [--chown=...] [--chmod=...] [--link] [--parents] [--exclude=...] src... dest}. Sources and destination are raw (JSON-decoded for the JSON form); a source that is a heredoc marker such as {@code <<EOF} refers to the next element of {@link #heredocs()}.
 *
 * @param range source range of the instruction
 * @param flags builder flags
 * @param sources the raw sources, at least one
 * @param destination the raw destination
 * @param heredocs here-documents used as sources, in order
 */
public record Copy(SourceRange range, List<Flag> flags, List<String> sources, String destination, List<Heredoc> heredocs) implements Instruction {

  /** Validates non-null components and copies lists. */
  public Copy {
    Objects.requireNonNull(range, "range");
    flags = List.copyOf(flags);
    sources = List.copyOf(sources);
    Objects.requireNonNull(destination, "destination");
    heredocs = List.copyOf(heredocs);
  }

  @Override
  public String keyword() {
    return "COPY";
  }

  @Override
  public <R> R accept(InstructionVisitor<R> visitor) {
    return visitor.visitCopy(this);
  }
}
