package dev.jbuild.layerstore.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.hash.DigestMismatchException;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link ContentStore} and {@link BlobWriter}. */
class ContentStoreTest {
  @TempDir Path dir;
  private LayerStore store;
  private ContentStore content;

  @BeforeEach
  void open() throws IOException {
    store = LayerStore.open(dir);
    content = store.content();
  }

  private long ingestFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve("ingest"))) {
      return s.count();
    }
  }

  @Test
  void open_createsLayout() {
    for (String d : new String[] {"blobs/sha256", "ingest", "snapshots", "images", "tmp"}) {
      assertTrue(Files.isDirectory(dir.resolve(d)), d);
    }
  }

  @Test
  void commit_publishesVerifiedBlob() throws IOException {
    byte[] bytes = "hello blob".getBytes(StandardCharsets.UTF_8);
    Descriptor d;
    try (BlobWriter w = content.newWriter()) {
      w.stream().write(bytes);
      d = w.commit("text/plain", Digest.sha256(bytes), bytes.length);
    }
    assertEquals(Digest.sha256(bytes), d.digest());
    assertEquals(bytes.length, d.size());
    assertTrue(content.contains(d.digest()));
    assertEquals(bytes.length, content.size(d.digest()));
    assertArrayEquals(bytes, content.readAll(d));
    assertEquals(dir.resolve("blobs/sha256/" + d.digest().hex()), content.pathOf(d.digest()));
    assertEquals(0, ingestFiles());
  }

  @Test
  void commit_withoutExpectations_acceptsAnyContent() throws IOException {
    try (BlobWriter w = content.newWriter()) {
      w.stream().write(new byte[] {1, 2, 3});
      Descriptor d = w.commit("x", null, -1);
      assertEquals(Digest.sha256(new byte[] {1, 2, 3}), d.digest());
    }
  }

  @Test
  void close_withoutCommit_abortsAndPublishesNothing() throws IOException {
    try (BlobWriter w = content.newWriter()) {
      w.stream().write("partial".getBytes(StandardCharsets.UTF_8));
    }
    assertFalse(content.contains(Digest.sha256("partial")));
    assertEquals(0, ingestFiles());
  }

  @Test
  void commit_digestMismatch_throwsAndDiscards() throws IOException {
    byte[] bytes = "actual".getBytes(StandardCharsets.UTF_8);
    try (BlobWriter w = content.newWriter()) {
      w.stream().write(bytes);
      DigestMismatchException e = assertThrows(DigestMismatchException.class,
          () -> w.commit("x", Digest.sha256("expected"), -1));
      assertEquals(Digest.sha256(bytes), e.actual());
    }
    assertFalse(content.contains(Digest.sha256(bytes)));
    assertEquals(0, ingestFiles());
  }

  @Test
  void commit_sizeMismatch_throws() throws IOException {
    byte[] bytes = "12345".getBytes(StandardCharsets.UTF_8);
    try (BlobWriter w = content.newWriter()) {
      w.stream().write(bytes);
      assertThrows(DigestMismatchException.class, () -> w.commit("x", Digest.sha256(bytes), 4));
    }
    assertFalse(content.contains(Digest.sha256(bytes)));
  }

  @Test
  void commit_existingBlob_keepsItAndDropsTemp() throws IOException {
    Descriptor first = content.put("x", new byte[] {9});
    try (BlobWriter w = content.newWriter()) {
      w.stream().write(9);
      assertEquals(first, w.commit("x", first.digest(), 1));
    }
    assertEquals(0, ingestFiles());
  }

  @Test
  void open_corruptBlob_reportsMismatchAtEof() throws IOException {
    Descriptor d = content.put("x", "original content".getBytes(StandardCharsets.UTF_8));
    Files.writeString(content.pathOf(d.digest()), "tampered content");
    try (InputStream in = content.open(d.digest())) {
      assertThrows(DigestMismatchException.class,
          () -> in.transferTo(OutputStream.nullOutputStream()));
    }
    assertThrows(DigestMismatchException.class, () -> content.readAll(d));
  }

  @Test
  void readAll_truncatedBlob_reportsSize() throws IOException {
    Descriptor d = content.put("x", "0123456789".getBytes(StandardCharsets.UTF_8));
    Files.writeString(content.pathOf(d.digest()), "01234");
    DigestMismatchException e = assertThrows(DigestMismatchException.class,
        () -> content.readAll(d));
    assertTrue(e.getMessage().contains("expected 10"), e.getMessage());
  }

  @Test
  void open_missingBlob_throwsNotFound() {
    assertThrows(BlobNotFoundException.class, () -> content.open(Digest.sha256("nothing")));
    assertThrows(BlobNotFoundException.class, () -> content.size(Digest.sha256("nothing")));
  }

  @Test
  void concurrentWriters_sameAndDifferentContent_allSucceed() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Descriptor>> futures = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        int n = i;
        futures.add(pool.submit(() -> {
          // Half the writers race on the same blob, the rest write their own.
          byte[] bytes = new byte[256 * 1024];
          java.util.Arrays.fill(bytes, (byte) (n % 2 == 0 ? 7 : n + 100));
          try (BlobWriter w = content.newWriter()) {
            for (int off = 0; off < bytes.length; off += 4096) {
              w.stream().write(bytes, off, 4096);
            }
            return w.commit("x", Digest.sha256(bytes), bytes.length);
          }
        }));
      }
      for (Future<Descriptor> f : futures) {
        Descriptor d = f.get();
        assertEquals(d.size(), content.readAll(d).length);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(0, ingestFiles());
    try (Stream<Path> s = Files.list(dir.resolve("blobs/sha256"))) {
      assertEquals(17, s.count()); // one shared + 16 distinct
    }
  }
}
