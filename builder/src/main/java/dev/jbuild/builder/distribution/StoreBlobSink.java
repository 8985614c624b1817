package dev.jbuild.builder.distribution;

import dev.jbuild.layerstore.content.BlobWriter;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.image.DiffIds;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.registry.BlobSink;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Lets the puller write into the content store. The store verifies digest and size again on
 * commit, so a blob is visible only when both the puller and the store agree it is intact. DiffIDs
 * come from {@link DiffIds}, the same check {@code jbuild load} and {@code jbuild verify} use.
 */
final class StoreBlobSink implements BlobSink {
  private final ContentStore content;

  StoreBlobSink(ContentStore content) {
    this.content = content;
  }

  @Override
  public boolean contains(Digest digest) {
    return content.contains(digest);
  }

  /** Configs are read back instead of downloaded again; the puller verifies the bytes. */
  @Override
  public java.util.Optional<byte[]> read(Digest digest) throws IOException {
    return content.contains(digest) ? java.util.Optional.of(content.readAll(digest))
        : java.util.Optional.empty();
  }

  /** Recorded when the store has measured the blob before, else computed now and recorded. */
  @Override
  public Digest diffId(Descriptor layer) throws IOException {
    return DiffIds.of(content, layer.digest());
  }

  @Override
  public Writer newWriter(Descriptor descriptor) throws IOException {
    BlobWriter writer = content.newWriter();
    return new Writer() {
      @Override
      public OutputStream stream() {
        return writer.stream();
      }

      @Override
      public void commit() throws IOException {
        writer.commit(descriptor.mediaType(), descriptor.digest(), descriptor.size());
      }

      @Override
      public void close() throws IOException {
        writer.close();
      }
    };
  }
}
