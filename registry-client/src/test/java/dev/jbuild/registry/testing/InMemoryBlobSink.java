package dev.jbuild.registry.testing;

import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.registry.BlobSink;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/** A {@link BlobSink} in memory that records commits and discarded writes. */
public final class InMemoryBlobSink implements BlobSink {
  private final Map<Digest, byte[]> blobs = new ConcurrentHashMap<>();
  private final AtomicInteger discarded = new AtomicInteger();

  @Override
  public boolean contains(Digest digest) {
    return blobs.containsKey(digest);
  }

  @Override
  public Digest diffId(Descriptor layer) throws IOException {
    byte[] bytes = blobs.get(layer.digest());
    if (bytes == null) {
      throw new IOException("no blob " + layer.digest());
    }
    return diffIdOf(bytes);
  }

  /** The digest of {@code blob} after gunzip if it is gzip, else of {@code blob} itself. */
  public static Digest diffIdOf(byte[] blob) throws IOException {
    if (blob.length >= 2 && (blob[0] & 0xff) == 0x1f && (blob[1] & 0xff) == 0x8b) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(blob))) {
        return Digest.sha256(in.readAllBytes());
      }
    }
    return Digest.sha256(blob);
  }

  @Override
  public Writer newWriter(Descriptor descriptor) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    return new Writer() {
      private boolean committed;

      @Override
      public OutputStream stream() {
        return buffer;
      }

      @Override
      public void commit() {
        blobs.put(descriptor.digest(), buffer.toByteArray());
        committed = true;
      }

      @Override
      public void close() {
        if (!committed) {
          discarded.incrementAndGet();
        }
      }
    };
  }

  /** The committed content of {@code digest}, or null. */
  public byte[] get(Digest digest) {
    return blobs.get(digest);
  }

  public int size() {
    return blobs.size();
  }

  /** How many writers were closed without a commit. */
  public int discarded() {
    return discarded.get();
  }
}
