package dev.jbuild.layerstore.tar;

import java.io.IOException;

/**
 * A tar entry that would write outside the extraction root or is otherwise refused. The message
 * shows names with control characters escaped ({@code \x1b}), since they come from an untrusted
 * layer and are printed to the user's terminal; {@link #entryName()} keeps the raw name.
 */
public final class UnsafeTarEntryException extends IOException {
  private final String entryName;

  /**
   * @param entryName the entry's name in the archive
   * @param reason why it is refused
   */
  public UnsafeTarEntryException(String entryName, String reason) {
    super("Tried to extract tar entry '" + printable(entryName) + "' but refused because: "
        + printable(reason) + " (the layer is malformed or malicious)");
    this.entryName = entryName;
  }

  /**
   * {@code text} with C0 and C1 control characters and DEL written as {@code \xNN}, as Go's
   * {@code %q} does for tar names in Docker's messages, so no escape sequence reaches a terminal.
   */
  static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c >= 0x7f && c <= 0x9f) {
        out.append(String.format("\\x%02x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** The refused entry's name. */
  public String entryName() {
    return entryName;
  }
}
