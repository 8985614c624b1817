package dev.jbuild.layerstore.diff;

import dev.jbuild.layerstore.content.BlobWriter;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.content.LayerInfo;
import dev.jbuild.layerstore.hash.BackgroundDigestingOutputStream;
import dev.jbuild.layerstore.hash.DigestMismatchException;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The tar → diffID digest → compression → blob pipeline. Without a blob ({@code keep} false) the
 * compressed bytes are only digested and counted, for a layer whose blob is written later from
 * its snapshot ({@link dev.jbuild.layerstore.content.DeferredBlob}).
 */
final class LayerOutput implements AutoCloseable {
  final ContentStore store;
  final LayerOptions options;
  /** Null when the compressed bytes are discarded. */
  final BlobWriter writer;
  final BackgroundDigestingOutputStream discarded;
  final OutputStream compressed;
  /** The DiffID is hashed on another thread than the one reading the files (see the class). */
  final BackgroundDigestingOutputStream uncompressed;
  final TarWriter tar;
  long contentSize;

  LayerOutput(ContentStore store, LayerOptions options) throws IOException {
    this(store, options, true);
  }

  LayerOutput(ContentStore store, LayerOptions options, boolean keep) throws IOException {
    this(store, options, keep, OutputStream.nullOutputStream());
  }

  /**
   * With {@code keep} false, the compressed bytes go to {@code sink} (not closed) instead of a
   * blob, digested on the way.
   */
  LayerOutput(ContentStore store, LayerOptions options, boolean keep, OutputStream sink)
      throws IOException {
    this.store = store;
    this.options = options;
    writer = keep ? store.newWriter() : null;
    discarded = keep ? null : new BackgroundDigestingOutputStream(sink);
    compressed = options.compression().compress(keep ? writer.stream() : discarded);
    uncompressed = new BackgroundDigestingOutputStream(compressed);
    tar = new TarWriter(new BufferedOutputStream(uncompressed, 64 * 1024));
  }

  void write(TarEntry entry, InputStream content) throws IOException {
    tar.write(entry, content);
    contentSize += entry.diskSize();
  }

  /** Finishes the tar and the layer, and records its {@link LayerInfo}. */
  Layer commit() throws IOException {
    tar.finish();
    return commitRaw(contentSize, null);
  }

  /**
   * Finishes the tar and a layer made again ({@code LayerDiffer.rediff}), whose blob must be
   * exactly {@code expected} (digest and size), else {@link DigestMismatchException} and nothing
   * is published. Its {@link LayerInfo} was recorded when it was first made.
   */
  Layer remake(Descriptor expected) throws IOException {
    tar.finish();
    return commitRaw(-1, expected);
  }

  /**
   * Finishes the layer; records its {@link LayerInfo} when {@code files} (its content size) is
   * known; with {@code expected}, as {@link #remake}.
   */
  Layer commitRaw(long files, Descriptor expected) throws IOException {
    uncompressed.flush();
    compressed.close(); // finishes the compressed stream; the blob writer stays open
    String mediaType = options.compression().mediaType();
    Descriptor blob;
    if (writer != null) {
      blob = expected == null ? writer.commit(mediaType, null, -1)
          : writer.commit(mediaType, expected.digest(), expected.size());
    } else {
      blob = Descriptor.of(mediaType, discarded.digest(), discarded.size());
      if (expected != null && !(blob.digest().equals(expected.digest())
          && blob.size() == expected.size())) {
        throw new DigestMismatchException(expected.digest(), blob.digest(),
            "made " + blob.size() + " bytes, expected " + expected.size());
      }
    }
    Layer layer = new Layer(blob, uncompressed.digest());
    if (files >= 0) {
      store.putLayerInfo(new LayerInfo(blob.digest(), layer.diffId(), uncompressed.size(),
          files));
    }
    return layer;
  }

  @Override
  public void close() throws IOException {
    uncompressed.abandon();
    if (discarded != null) {
      discarded.abandon();
    }
    if (writer != null) {
      writer.close();
    }
  }
}
