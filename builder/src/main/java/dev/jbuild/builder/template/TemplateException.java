package dev.jbuild.builder.template;

/**
 * A template that does not parse, or fails while it runs (an unknown field, an index out of
 * range, a function given the wrong arguments). The message has Go's shape, which is what docker
 * prints: {@code template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"}.
 */
public final class TemplateException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean parse;

  TemplateException(String message, boolean parse) {
    super(message);
    this.parse = parse;
  }

  /** True when the template itself is malformed (a usage error), false when it failed to run. */
  public boolean isParseError() {
    return parse;
  }
}
