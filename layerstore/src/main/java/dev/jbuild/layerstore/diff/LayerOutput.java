package dev.jbuild.layerstore.diff;

import dev.jbuild.layerstore.content.BlobWriter;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.content.LayerInfo;
import dev.jbuild.layerstore.hash.DigestingOutputStream;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** The tar → diffID digest → compression → blob pipeline. */
final class LayerOutput implements AutoCloseable {
  final ContentStore store;
  final LayerOptions options;
  final BlobWriter writer;
  final OutputStream compressed;
  final DigestingOutputStream uncompressed;
  final TarWriter tar;
  long contentSize;

  LayerOutput(ContentStore store, LayerOptions options) throws IOException {
    this.store = store;
    this.options = options;
    writer = store.newWriter();
    compressed = options.compression().compress(writer.stream());
    uncompressed = new DigestingOutputStream(compressed);
    tar = new TarWriter(new BufferedOutputStream(uncompressed, 64 * 1024));
  }

  void write(TarEntry entry, InputStream content) throws IOException {
    tar.write(entry, content);
    contentSize += entry.diskSize();
  }

  Layer commit() throws IOException {
    tar.finish();
    return commitRaw(contentSize);
  }

  Layer commitRaw(long files) throws IOException {
    uncompressed.flush();
    compressed.close(); // finishes the compressed stream; the blob writer stays open
    Descriptor blob = writer.commit(options.compression().mediaType(), null, -1);
    Layer layer = new Layer(blob, uncompressed.digest());
    if (files >= 0) {
      store.putLayerInfo(new LayerInfo(blob.digest(), layer.diffId(), uncompressed.size(),
          files));
    }
    return layer;
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }
}
