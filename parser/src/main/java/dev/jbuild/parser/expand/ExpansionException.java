package dev.jbuild.parser.expand;

/**
 * Thrown when a word cannot be expanded: bad substitution syntax, an unterminated quote, or a
 * {@code ${v:?message}} on an unset or empty variable. {@link #getMessage()} follows BuildKit:
 * {@code failed to process "<word>": <detail>}. The builder adds the instruction's position.
 */
public final class ExpansionException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String word;
  private final String detail;

  /**
   * Creates the exception.
   *
   * @param word the word that was being expanded
   * @param detail what went wrong, e.g. {@code bad substitution}
   */
  public ExpansionException(String word, String detail) {
    super("failed to process " + quote(word) + ": " + detail);
    this.word = word;
    this.detail = detail;
  }

  /** Returns the word that failed to expand. */
  public String word() {
    return word;
  }

  /** Returns the message without the {@code failed to process "..."} prefix. */
  public String detail() {
    return detail;
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
