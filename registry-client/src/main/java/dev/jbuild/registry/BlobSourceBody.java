package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.registry.http.RequestBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.LongConsumer;

/**
 * Streams {@code length} bytes of a {@link BlobSource} from {@code offset} (the whole blob, or one
 * chunk of it), checking that the source holds exactly {@code total} bytes. The source is opened
 * anew on every {@link #writeTo}, so the body can be sent again after an authentication challenge
 * or in a restarted upload. Failures of the source are thrown as {@link LocalIOException}.
 */
final class BlobSourceBody implements RequestBody {
  static final String OCTET_STREAM = "application/octet-stream";

  private final BlobSource source;
  private final long offset;
  private final long length;
  private final long total;
  private final Digest digest;
  private final LongConsumer progress;

  /**
   * @param progress receives the number of bytes of the whole blob sent so far
   */
  BlobSourceBody(BlobSource source, long offset, long length, long total, Digest digest,
      LongConsumer progress) {
    this.source = source;
    this.offset = offset;
    this.length = length;
    this.total = total;
    this.digest = digest;
    this.progress = progress;
  }

  /** The first byte of the blob this body carries. */
  long offset() {
    return offset;
  }

  @Override
  public String contentType() {
    return OCTET_STREAM;
  }

  @Override
  public long length() {
    return length;
  }

  @Override
  public void writeTo(OutputStream out) throws IOException {
    byte[] buffer = new byte[256 * 1024];
    InputStream in;
    try {
      in = source.open();
      in.skipNBytes(offset);
    } catch (IOException e) {
      throw new LocalIOException(e);
    }
    boolean last = offset + length == total;
    long written = 0;
    try (in) {
      while (written < length || last) {
        // On the last part read one byte more than expected, to notice a source that is longer
        // than its declared size.
        int want = (int) Math.min(buffer.length, length - written + (last ? 1 : 0));
        int n;
        try {
          n = in.read(buffer, 0, want);
        } catch (IOException e) {
          throw new LocalIOException(e);
        }
        if (n == -1) {
          break;
        }
        written += n;
        if (written > length) {
          throw new LocalIOException(new IOException("the content of blob " + digest
              + " is longer than its declared size of " + total + " bytes"));
        }
        out.write(buffer, 0, n);
        progress.accept(offset + written);
      }
    } catch (java.io.EOFException e) {
      throw new LocalIOException(e);
    }
    if (written != length) {
      throw new LocalIOException(new IOException("the content of blob " + digest + " has "
          + (offset + written) + " bytes, but its declared size is " + total));
    }
  }
}
