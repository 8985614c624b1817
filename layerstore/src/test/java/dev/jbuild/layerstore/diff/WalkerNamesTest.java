package dev.jbuild.layerstore.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.posix.Posix;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The diff walk's listing: entries sorted by name as strings, directories followed by their
 * contents, and xattrs kept on the files that have them (files without get no map).
 */
class WalkerNamesTest {
  @TempDir Path tmp;

  @Test
  void namesSortAsStrings_xattrsKept() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("tree"));
    for (String name : List.of("b", "a", "B", "a.b", "a-")) {
      Files.writeString(dir.resolve(name), name);
    }
    Files.createDirectories(dir.resolve("a0"));
    Files.writeString(dir.resolve("a0/z"), "z");
    Posix.lsetxattr(dir.resolve("b"), "user.note", "kept".getBytes(StandardCharsets.UTF_8));

    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Layer layer = LayerDiffer.fromDirectory(dir, store.content());
    List<String> entries = LayerEntries.of(layer, store.content());
    List<String> names = entries.stream().map(e -> e.substring(0, e.indexOf(' '))).toList();
    List<String> sorted = names.stream().filter(n -> !n.contains("/") || n.equals("a0/"))
        .map(n -> n.endsWith("/") ? n.substring(0, n.length() - 1) : n).toList();
    assertEquals(sorted.stream().sorted().toList(), sorted, "siblings in String order");
    assertEquals(names.indexOf("a0/") + 1, names.indexOf("a0/z"), "a directory, then inside it");
    assertTrue(entries.stream().anyMatch(e -> e.startsWith("b ") && e.contains(
        "[user.note=" + java.util.HexFormat.of().formatHex("kept".getBytes(StandardCharsets.UTF_8))
        + ",]")), entries.toString());
    assertTrue(entries.stream().anyMatch(e -> e.startsWith("a ") && e.contains(" [] ")),
        "no xattrs: " + entries);
  }
}
