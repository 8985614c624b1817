package dev.jbuild.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarReader;
import dev.jbuild.layerstore.tar.TarStreams;
import dev.jbuild.layerstore.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code COPY --chmod} / {@code ADD --chmod} and the directories the copy creates, as current
 * BuildKit does (testCopyChmod; fsutil's {@code copy.MkdirAll} gets the octal mode): a missing
 * parent or destination directory gets the octal mode without setuid/setgid/sticky, a symbolic
 * mode leaves it 0755, existing directories keep theirs, and a local archive that ADD unpacks
 * ignores {@code --chmod} (BuildKit's unpack). Built in process with no RUN, read from the
 * layers (root: the copy sets owners).
 */
@Tag("root")
class CopyChmodBuildTest {
  private static final Instant CLOCK = Instant.parse("2024-01-02T03:04:05Z");

  @TempDir Path tmp;
  private LayerStore store;
  private Path context;

  @BeforeEach
  void baseAndContext() throws IOException {
    store = LayerStore.open(tmp.resolve("store"));
    Path rootfs = tmp.resolve("rootfs");
    Files.createDirectories(rootfs.resolve("etc"));
    Files.setAttribute(rootfs.resolve("etc"), "unix:mode", 0711);
    Files.writeString(rootfs.resolve("etc/motd"), "hello\n");
    BuildFixture.tagBase(store, rootfs);
    context = Files.createDirectories(tmp.resolve("context"));
    write("a.txt", "a\n", 0644);
    write("dir/sub/f", "f\n", 0600);
    try (OutputStream out = Files.newOutputStream(context.resolve("arch.tar"))) {
      TarWriter tar = new TarWriter(out);
      byte[] x = "x\n".getBytes(StandardCharsets.UTF_8);
      tar.write(TarEntry.directory("in/", 0750, 0, 0, 0), null);
      tar.write(TarEntry.file("in/x", 0640, 0, 0, x.length, 0), new ByteArrayInputStream(x));
      tar.finish();
    }
  }

  @Test
  void createdParents_getTheOctalMode_existingOnesKeepTheirs() throws Exception {
    List<Map<String, TarEntry>> layers = build("""
        FROM base:1
        COPY --chmod=777 a.txt /parent/foo
        COPY --chmod=770 a.txt /parent/sub/foo
        COPY --chmod=0750 a.txt /etc/new/a
        """);
    assertEquals(0777, mode(layers.get(0), "parent"));
    assertEquals(0777, mode(layers.get(0), "parent/foo"));
    // testCopyChmod: the existing /parent stays 0777, the new /parent/sub gets 0770.
    assertEquals(0777, mode(layers.get(1), "parent"));
    assertEquals(0770, mode(layers.get(1), "parent/sub"));
    assertEquals(0770, mode(layers.get(1), "parent/sub/foo"));
    assertEquals(0711, mode(layers.get(2), "etc"));
    assertEquals(0750, mode(layers.get(2), "etc/new"));
  }

  @Test
  void specialBits_symbolicModes_chown_andDirectorySources() throws Exception {
    List<Map<String, TarEntry>> layers = build("""
        FROM base:1
        COPY --chmod=4770 a.txt /special/a
        COPY --chmod=u+x a.txt /symbolic/a
        COPY --chown=5:6 --chmod=0750 a.txt /owned/deep/a
        COPY --chmod=0444 dir /ro/
        COPY --chmod=0 <<EOF /heredoc/h
        text
        EOF
        COPY --link --chmod=0700 a.txt /linked/a
        """);
    // Go's os.FileMode(04770).Perm() is 0770: MkdirAll drops setuid on directories.
    assertEquals(0770, mode(layers.get(0), "special"));
    assertEquals(0755, mode(layers.get(1), "symbolic"));
    assertEquals(0744, mode(layers.get(1), "symbolic/a"));
    TarEntry owned = layers.get(2).get("owned/");
    assertEquals(0750, owned.mode() & 07777);
    assertEquals(List.of(5L, 6L), List.of(owned.uid(), owned.gid()));
    assertEquals(0750, mode(layers.get(2), "owned/deep"));
    assertEquals(0444, mode(layers.get(3), "ro"));
    assertEquals(0444, mode(layers.get(3), "ro/sub"));
    assertEquals(0444, mode(layers.get(3), "ro/sub/f"));
    assertEquals(0, mode(layers.get(4), "heredoc"));
    assertEquals(0, mode(layers.get(4), "heredoc/h"));
    // --link is ignored with --chmod (BuildKit): the same rule as a plain COPY.
    assertEquals(0700, mode(layers.get(5), "linked"));
  }

  @Test
  void addUnpacking_ignoresChmod_butAPlainAddDoesNot() throws Exception {
    List<Map<String, TarEntry>> layers = build("""
        FROM base:1
        ADD --chmod=0700 arch.tar /unpacked/
        ADD --chmod=0700 a.txt /added/
        """);
    assertEquals(0755, mode(layers.get(0), "unpacked"));
    assertEquals(0750, mode(layers.get(0), "unpacked/in"));
    assertEquals(0640, mode(layers.get(0), "unpacked/in/x"));
    assertEquals(0700, mode(layers.get(1), "added"));
    assertEquals(0700, mode(layers.get(1), "added/a.txt"));
  }

  private void write(String name, String text, int mode) throws IOException {
    Path p = context.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text, StandardCharsets.UTF_8);
    Files.setAttribute(p, "unix:mode", mode);
  }

  private static int mode(Map<String, TarEntry> layer, String name) {
    TarEntry e = layer.containsKey(name) ? layer.get(name) : layer.get(name + "/");
    if (e == null) {
      throw new AssertionError(name + " is not in the layer: " + layer.keySet());
    }
    return e.mode() & 07777;
  }

  private Image image(String dockerfile) throws Exception {
    Files.writeString(context.resolve("Dockerfile"), dockerfile, StandardCharsets.UTF_8);
    BuildRequest request = BuildRequest.builder(context)
        .dockerfile(context.resolve("Dockerfile")).build();
    return new ImageBuilder(store, new FakeCommandRunner(), StoredBases.of(store), () -> CLOCK)
        .build(request, BuildListener.NONE).image();
  }

  /** The layers the Dockerfile added over the base, each as name → entry. */
  private List<Map<String, TarEntry>> build(String dockerfile) throws Exception {
    Image image = image(dockerfile);
    List<Map<String, TarEntry>> out = new ArrayList<>();
    for (Layer layer : image.layers().subList(1, image.layers().size())) {
      Map<String, TarEntry> entries = new TreeMap<>();
      try (InputStream blob = store.content().open(layer.blob());
          TarReader tar = new TarReader(TarStreams.decompress(blob))) {
        for (TarEntry e = tar.next(); e != null; e = tar.next()) {
          entries.put(e.isDirectory() && !e.name().endsWith("/") ? e.name() + "/" : e.name(), e);
        }
      }
      out.add(entries);
    }
    return out;
  }
}
