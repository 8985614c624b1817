package dev.jbuild.parser.ast;

import java.util.Objects;

/**
 * One declaration of an ARG instruction: {@code NAME} or {@code NAME=default}. The default is raw
 * source text (quotes kept) and is expanded by the builder only when no build argument overrides it.
 *
 * @param name the argument name
 * @param defaultValue the raw default, or {@code null} when the declaration has no {@code =}
 */
public record ArgDecl(String name, String defaultValue) {

  /** Requires a name. */
  public ArgDecl {
    Objects.requireNonNull(name, "name");
  }

  /** Returns whether the declaration has a default ({@code NAME=...}, possibly empty). */
  public boolean hasDefault() {
    return defaultValue != null;
  }
}
