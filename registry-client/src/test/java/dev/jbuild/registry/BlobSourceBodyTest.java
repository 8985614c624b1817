package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbuild.layerstore.oci.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link BlobSourceBody}: exact chunks, and a source of the wrong size is the caller's. */
class BlobSourceBodyTest {
  private static final byte[] BLOB = "0123456789".getBytes(StandardCharsets.US_ASCII);
  private static final Digest DIGEST = Digest.sha256(BLOB);

  @Test
  void chunk_sendsItsBytesOnly_andReportsProgressInBlobBytes() throws IOException {
    List<Long> progress = new ArrayList<>();
    BlobSourceBody body =
        new BlobSourceBody(BlobSource.of(BLOB), 4, 3, BLOB.length, DIGEST, progress::add);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    body.writeTo(out);
    assertArrayEquals(Arrays.copyOfRange(BLOB, 4, 7), out.toByteArray());
    assertEquals(3, body.length());
    assertEquals(4, body.offset());
    assertEquals(List.of(7L), progress);
  }

  @Test
  void wholeBlob_canBeWrittenTwice() throws IOException {
    BlobSourceBody body =
        new BlobSourceBody(BlobSource.of(BLOB), 0, BLOB.length, BLOB.length, DIGEST, n -> {});
    for (int i = 0; i < 2; i++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      body.writeTo(out);
      assertArrayEquals(BLOB, out.toByteArray());
    }
  }

  @Test
  void sourceLongerThanDeclared_isALocalFailure() {
    BlobSourceBody body = new BlobSourceBody(BlobSource.of(BLOB), 0, 9, 9, DIGEST, n -> {});
    IOException e = assertThrows(IOException.class,
        () -> body.writeTo(new ByteArrayOutputStream()));
    IOException local = LocalIOException.unwrap(e);
    assertEquals("the content of blob " + DIGEST + " is longer than its declared size of 9"
        + " bytes", local.getMessage());
  }

  @Test
  void sourceShorterThanDeclared_isALocalFailure() {
    BlobSourceBody body = new BlobSourceBody(BlobSource.of(BLOB), 8, 4, 12, DIGEST, n -> {});
    IOException e = assertThrows(IOException.class,
        () -> body.writeTo(new ByteArrayOutputStream()));
    assertEquals("the content of blob " + DIGEST + " has 10 bytes, but its declared size is 12",
        LocalIOException.unwrap(e).getMessage());
  }

  @Test
  void unopenableSource_isALocalFailure() {
    IOException cause = new IOException("layer file vanished");
    BlobSourceBody body = new BlobSourceBody(() -> {
      throw cause;
    }, 0, 1, 1, DIGEST, n -> {});
    IOException e = assertThrows(IOException.class,
        () -> body.writeTo(new ByteArrayOutputStream()));
    assertEquals(cause, LocalIOException.unwrap(e));
  }

  @Test
  void networkFailure_isNotLocal() {
    assertEquals(null, LocalIOException.unwrap(new IOException("reset",
        new IOException("broken pipe"))));
  }
}
