package dev.jbuild.parser.ast;

import java.util.Objects;

/**
 * A here-document attached to RUN, COPY or ADD ({@code <<EOF ... EOF}).
 *
 * @param name the delimiter word with quotes removed; for COPY/ADD it is also the file name
 * @param content the body lines, each terminated by {@code \n}; for {@code <<-} leading tabs are
 *     already removed from every line
 * @param expand {@code false} when any part of the delimiter was quoted or escaped, in which case
 *     the builder must not expand variables in the body
 * @param chomp whether the delimiter was written {@code <<-}
 * @param fileDescriptor the descriptor prefix, as in {@code 3<<EOF}, or 0 when absent
 */
public record Heredoc(
    String name, String content, boolean expand, boolean chomp, int fileDescriptor) {

  /** Requires a name and content. */
  public Heredoc {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(content, "content");
  }
}
