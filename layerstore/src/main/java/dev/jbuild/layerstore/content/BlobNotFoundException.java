package dev.jbuild.layerstore.content;

import dev.jbuild.layerstore.oci.Digest;
import java.nio.file.NoSuchFileException;

/** A blob that should be in the content store is not there. */
public final class BlobNotFoundException extends NoSuchFileException {
  private final Digest digest;

  /** @param digest the missing blob */
  public BlobNotFoundException(Digest digest) {
    super(digest.toString(), null, "Tried to read blob " + digest
        + " but failed because: it is not in the content store (pull or build the image again)");
    this.digest = digest;
  }

  /** The missing blob. */
  public Digest digest() {
    return digest;
  }

  @Override
  public String getMessage() {
    return getReason();
  }
}
