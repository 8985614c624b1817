package dev.jbuild.registry.testing;

import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.registry.BlobSink;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link BlobSink} in memory that records commits and discarded writes. */
public final class InMemoryBlobSink implements BlobSink {
  private final Map<Digest, byte[]> blobs = new ConcurrentHashMap<>();
  private final AtomicInteger discarded = new AtomicInteger();

  @Override
  public boolean contains(Digest digest) {
    return blobs.containsKey(digest);
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
