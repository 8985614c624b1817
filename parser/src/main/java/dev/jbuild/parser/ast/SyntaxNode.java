package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * One instruction as BuildKit's parser layer sees it, before the typed instruction layer: the
 * lower-case instruction name, the flag words and the arguments split the way BuildKit's line
 * parsers split them. This is what {@code jbuild parse --json} prints; the builder uses the typed
 * {@link Instruction}s instead.
 *
 * <p>Argument forms: ADD, COPY and VOLUME give the decoded JSON array or the whitespace-separated
 * words; RUN, CMD, ENTRYPOINT and SHELL the decoded JSON array or one raw string; ENV and LABEL
 * {@code key, value, key, value, ...}; ARG the quote-aware raw words; FROM and EXPOSE the
 * whitespace-separated words; MAINTAINER, USER, WORKDIR and STOPSIGNAL one raw string; HEALTHCHECK
 * the type word followed by the command; ONBUILD no arguments and a {@link #trigger()}. Quotes and
 * escapes are kept except in JSON arrays, which are decoded.
 *
 * @param name the instruction word in lower case, e.g. {@code "copy"}
 * @param flags the flag words in order, quotes removed as BuildKit does ({@code --mount=a b})
 * @param args the arguments as described above
 * @param json whether the arguments were written as a JSON array
 * @param legacyForm for ENV and LABEL, whether the legacy {@code KEY value} form was used; false
 *     for other instructions
 * @param range the source range, including continuation lines and heredoc bodies
 * @param heredocs the here-documents read after the line, in order
 * @param trigger for ONBUILD, the trigger instruction; otherwise {@code null}
 * @param comments the comment lines directly above the instruction (text after {@code #},
 *     trimmed), used for per-instruction {@code # check=} directives
 */
public record SyntaxNode(
    String name,
    List<String> flags,
    List<String> args,
    boolean json,
    boolean legacyForm,
    SourceRange range,
    List<Heredoc> heredocs,
    SyntaxNode trigger,
    List<String> comments) {

  /** Validates non-null components and copies lists. */
  public SyntaxNode {
    Objects.requireNonNull(name, "name");
    flags = List.copyOf(flags);
    args = List.copyOf(args);
    Objects.requireNonNull(range, "range");
    heredocs = List.copyOf(heredocs);
    comments = List.copyOf(comments);
  }
}
