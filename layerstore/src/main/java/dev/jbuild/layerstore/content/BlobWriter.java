package dev.jbuild.layerstore.content;

import dev.jbuild.layerstore.fs.FileLocks;
import dev.jbuild.layerstore.hash.DigestMismatchException;
import dev.jbuild.layerstore.hash.DigestingOutputStream;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes one blob into the {@link ContentStore}: bytes go to a temp file in {@code ingest/} and are
 * digested on the way; {@link #commit} verifies them, fsyncs and renames the file to {@code
 * blobs/sha256/<hex>}. Nothing is visible before commit. Closing without committing aborts and
 * deletes the temp file, so use try-with-resources. Not thread-safe: one writer per thread.
 */
public final class BlobWriter implements Closeable {
  private final ContentStore store;
  private final Path temp;
  private final FileChannel channel;
  private final FileLocks.Held held;
  private final DigestingOutputStream stream;
  private boolean done;

  BlobWriter(ContentStore store, Path temp) throws IOException {
    this.store = store;
    this.temp = temp;
    this.channel = FileChannel.open(temp, StandardOpenOption.WRITE);
    // Locked while in progress, so that garbage collection can tell a live write from the
    // leftover of a killed process.
    this.held = FileLocks.holdWhileOpen(channel, temp);
    OutputStream file = Channels.newOutputStream(channel);
    this.stream = new DigestingOutputStream(new BufferedOutputStream(file, 128 * 1024) {
      @Override
      public void close() throws IOException {
        // The writer owns the channel; a caller closing stream() must not end the write early.
        flush();
      }
    });
  }

  /** Where to write the content. Closing it only flushes; {@link #commit} publishes. */
  public OutputStream stream() {
    if (done) {
      throw new IllegalStateException("blob writer already committed or aborted");
    }
    return stream;
  }

  /** Bytes written so far. */
  public long size() {
    return stream.size();
  }

  /**
   * Verifies and publishes the blob.
   *
   * @param mediaType the media type for the returned descriptor
   * @param expected the digest the content must have, or null to accept any
   * @param expectedSize the size the content must have, or -1 if unknown
   * @return the descriptor of the stored blob
   * @throws DigestMismatchException if digest or size differ; the blob is then discarded
   */
  public Descriptor commit(String mediaType, Digest expected, long expectedSize)
      throws IOException {
    if (done) {
      throw new IllegalStateException("blob writer already committed or aborted");
    }
    if (expected != null && !"sha256".equals(expected.algorithm())) {
      close();
      throw new IOException("Tried to store blob " + expected + " but failed because: only sha256"
          + " content is supported");
    }
    try {
      stream.flush();
      long size = stream.size();
      Digest actual = stream.digest();
      if (expectedSize >= 0 && size != expectedSize) {
        throw new DigestMismatchException(expected == null ? actual : expected, actual,
            "received " + size + " bytes, expected " + expectedSize);
      }
      if (expected != null && !expected.equals(actual)) {
        throw new DigestMismatchException(expected, actual, "received content does not match");
      }
      channel.force(true);
      Path target = store.pathOf(actual);
      if (Files.exists(target)) {
        Files.delete(temp); // same digest, same bytes: keep the existing file
      } else {
        try {
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          throw new IOException("Tried to publish blob " + actual + " but failed because: "
              + "ingest/ and blobs/ are on different file systems", e);
        }
      }
      done = true;
      held.close();
      return Descriptor.of(mediaType, actual, size);
    } finally {
      if (!done) {
        close();
      }
    }
  }

  /** Aborts if not committed: deletes the temp file. Idempotent. */
  @Override
  public void close() throws IOException {
    if (done) {
      return;
    }
    done = true;
    try {
      Files.deleteIfExists(temp);
    } finally {
      held.close();
    }
  }
}
