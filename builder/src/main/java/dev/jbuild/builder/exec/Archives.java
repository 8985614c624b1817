package dev.jbuild.builder.exec;

import dev.jbuild.layerstore.tar.SafeTarExtractor;
import dev.jbuild.layerstore.tar.TarStreams;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * ADD's archive handling: a local tar (plain or compressed) is recognised by its content, not its
 * name, and extracted safely (no {@code ..}, absolute paths or escaping links).
 */
final class Archives {
  private static final int BLOCK = 512;

  private Archives() {}

  /** True when {@code file} is a tar archive, possibly compressed. */
  static boolean isArchive(Path file) {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
        InputStream in = TarStreams.decompress(raw)) {
      byte[] header = in.readNBytes(BLOCK);
      return header.length == BLOCK && isTarHeader(header);
    } catch (IOException | RuntimeException e) {
      // Unknown compression or unreadable: not an archive; ADD copies it as a file.
      return false;
    }
  }

  /** A ustar/GNU magic, or a v7 header whose checksum is right. */
  static boolean isTarHeader(byte[] h) {
    String magic = new String(h, 257, 5, StandardCharsets.US_ASCII);
    if (magic.equals("ustar")) {
      return true;
    }
    String field = new String(h, 148, 8, StandardCharsets.US_ASCII).trim();
    int nul = field.indexOf('\0');
    if (nul >= 0) {
      field = field.substring(0, nul).trim();
    }
    if (field.isEmpty() || !field.matches("[0-7]+")) {
      return false;
    }
    long expected = Long.parseLong(field, 8);
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
    }
    return sum == expected && h[0] != 0;
  }

  /** Extracts {@code archive} into {@code dir}, keeping owners, modes and times. */
  static void extract(Path archive, Path dir) throws IOException {
    Files.createDirectories(dir);
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive));
        InputStream in = TarStreams.decompress(raw)) {
      new SafeTarExtractor(SafeTarExtractor.Options.apply()).extract(in, dir);
    }
  }
}
