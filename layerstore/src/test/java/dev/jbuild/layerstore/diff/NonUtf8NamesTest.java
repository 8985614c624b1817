package dev.jbuild.layerstore.diff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.fs.FileNames;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.tar.SafeTarExtractor;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A name that is not valid UTF-8 ({@code caf\xe9}, a directory {@code d\xff}, a symlink to
 * {@code \xe9t}) keeps its bytes through the upperdir walk, the tar (a PAX {@code path} record
 * with the raw bytes, as Go's archive/tar writes a Go string) and extraction in a later build.
 * The names are made by the shell, not by the code under test.
 */
class NonUtf8NamesTest {
  private static final byte E9 = (byte) 0xe9;
  @TempDir Path tmp;

  private Path tree() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("tree"));
    Process p = new ProcessBuilder("/bin/sh", "-c", "printf latin > \"$(printf 'caf\\351')\""
        + " && mkdir \"$(printf 'd\\377')\" && echo in > \"$(printf 'd\\377')/inner\""
        + " && ln -s \"$(printf '\\351t')\" link && echo plain > plain")
        .directory(dir.toFile()).inheritIO().start();
    assertEquals(0, p.waitFor());
    return dir;
  }

  private static byte[] tar(Layer layer, LayerStore store) throws IOException {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    try (InputStream blob = store.content().open(layer.blob())) {
      new GZIPInputStream(blob).transferTo(tar);
    }
    return tar.toByteArray();
  }

  private static List<String> names(byte[] tar) throws IOException {
    List<String> names = new ArrayList<>();
    TarReader reader = new TarReader(new ByteArrayInputStream(tar));
    TarEntry e;
    while ((e = reader.next()) != null) {
      names.add(e.name() + (e.linkName().isEmpty() ? "" : " -> " + e.linkName()));
    }
    return names;
  }

  /** Where {@code needle} starts in {@code haystack}, or -1 (Latin-1 maps bytes 1:1 to chars). */
  private static int indexOf(byte[] haystack, byte[] needle) {
    return new String(haystack, StandardCharsets.ISO_8859_1)
        .indexOf(new String(needle, StandardCharsets.ISO_8859_1));
  }

  @Test
  void upperdirWalk_tar_andExtraction_keepTheBytes() throws Exception {
    Path dir = tree();
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Layer layer = LayerDiffer.diff(dir, List.of(), store.content()).orElseThrow();
    byte[] tar = tar(layer, store);
    assertEquals(List.of("caf\uDCE9", "d\uDCFF/", "d\uDCFF/inner", "link -> \uDCE9t", "plain"),
        names(tar));
    // The PAX records hold the raw bytes: "13 path=caf\xe9\n", "15 linkpath=\xe9t\n".
    assertTrue(indexOf(tar, new byte[] {'1', '3', ' ', 'p', 'a', 't', 'h', '=', 'c', 'a', 'f',
        E9, '\n'}) >= 0, "path record with byte 0xe9");
    assertTrue(indexOf(tar, new byte[] {'1', '5', ' ', 'l', 'i', 'n', 'k', 'p', 'a', 't', 'h',
        '=', E9, 't', '\n'}) >= 0, "linkpath record with byte 0xe9");

    Path out = Files.createDirectories(tmp.resolve("out"));
    Digest diffId = new SafeTarExtractor(SafeTarExtractor.Options.apply())
        .extract(new ByteArrayInputStream(tar), out);
    assertEquals(layer.diffId(), diffId);
    Process ls = new ProcessBuilder("/bin/sh", "-c", "cat \"$(printf 'caf\\351')\""
        + " \"$(printf 'd\\377')/inner\"; readlink link").directory(out.toFile()).start();
    byte[] shown = ls.getInputStream().readAllBytes();
    assertEquals(0, ls.waitFor());
    assertArrayEquals(new byte[] {'l', 'a', 't', 'i', 'n', 'i', 'n', '\n', E9, 't', '\n'}, shown);

    // The extracted tree diffs to the same bytes again (a later build's RUN sees the same).
    Layer again = LayerDiffer.fromDirectory(out, store.content());
    assertEquals(names(tar), names(tar(again, store)));
  }

  @Test
  void snapshotWalk_findsTheNamesAgain() throws Exception {
    Path dir = tree();
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    TreeSnapshot before = TreeSnapshot.take(dir, List.of());
    Files.writeString(FileNames.resolve(dir, "d\uDCFF/inner"), "changed");
    Files.delete(FileNames.resolve(dir, "caf\uDCE9"));
    Layer layer = WalkingDiffer.diff(before, store.content()).orElseThrow();
    assertEquals(List.of(".wh.caf\uDCE9", "d\uDCFF/", "d\uDCFF/inner"), names(tar(layer, store)));
    byte[] inner = new byte[] {'d', (byte) 0xff, '/', 'i', 'n', 'n', 'e', 'r'};
    assertTrue(indexOf(tar(layer, store), inner) >= 0, "the raw bytes of d\\xff/inner");
    assertEquals("changed", new String(Files.readAllBytes(FileNames.resolve(dir, "d\uDCFF/inner")),
        StandardCharsets.UTF_8));
  }
}
