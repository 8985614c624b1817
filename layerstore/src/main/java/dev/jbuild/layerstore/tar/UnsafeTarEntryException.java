package dev.jbuild.layerstore.tar;

import java.io.IOException;

/** A tar entry that would write outside the extraction root or is otherwise refused. */
public final class UnsafeTarEntryException extends IOException {
  private final String entryName;

  /**
   * @param entryName the entry's name in the archive
   * @param reason why it is refused
   */
  public UnsafeTarEntryException(String entryName, String reason) {
    super("Tried to extract tar entry '" + entryName + "' but refused because: " + reason
        + " (the layer is malformed or malicious)");
    this.entryName = entryName;
  }

  /** The refused entry's name. */
  public String entryName() {
    return entryName;
  }
}
