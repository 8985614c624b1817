package dev.jbuild.builder.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.archive.RootfsImporter;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link ImageExporter}'s {@code type=tar} output (no root needed). */
class ImageExporterTest {
  @TempDir Path tmp;

  @Test
  void tar_holdsTheFlattenedRootfs_sortedWithOwnersModesLinksAndTimes() throws Exception {
    Path rootfs = Files.createDirectories(tmp.resolve("rootfs/app"));
    Files.writeString(rootfs.resolve("hello.txt"), "hello\n");
    Files.setAttribute(rootfs.resolve("hello.txt"), "unix:mode", 0640);
    Files.createSymbolicLink(rootfs.resolve("link"), Path.of("hello.txt"));
    String longName = "d".repeat(120);
    Files.writeString(rootfs.resolve(longName), "long");
    Files.setAttribute(rootfs, "unix:mode", 0750);
    FileTime mtime = FileTime.fromMillis(1_600_000_000_000L);
    Files.setLastModifiedTime(rootfs.resolve("hello.txt"), mtime);
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Image image = new RootfsImporter(store).importRootfs(tmp.resolve("rootfs"),
        Platform.parse("linux/amd64"), "test");

    Path out = tmp.resolve("out/rootfs.tar");
    new ImageExporter(store).export(image, List.of(), OutputSpec.parse("type=tar,dest=" + out));

    int uid = (Integer) Files.getAttribute(rootfs, "unix:uid");
    int gid = (Integer) Files.getAttribute(rootfs, "unix:gid");
    List<String> names = new ArrayList<>();
    Map<String, TarEntry> byName = new java.util.HashMap<>();
    Map<String, String> contents = new java.util.HashMap<>();
    try (InputStream in = Files.newInputStream(out); TarReader tar = new TarReader(in)) {
      for (TarEntry e = tar.next(); e != null; e = tar.next()) {
        String name = e.isDirectory() && !e.name().endsWith("/") ? e.name() + "/" : e.name();
        names.add(name);
        byName.put(name, e);
        if (e.type() == TarEntry.Type.FILE) {
          contents.put(name, new String(tar.content().readAllBytes(), StandardCharsets.UTF_8));
        }
      }
    }
    assertEquals(List.of("app/", "app/" + longName, "app/hello.txt", "app/link"), names);
    TarEntry dir = byName.get("app/");
    assertEquals(0750, dir.mode() & 07777);
    assertEquals(uid, dir.uid());
    assertEquals(gid, dir.gid());
    TarEntry file = byName.get("app/hello.txt");
    assertEquals(TarEntry.Type.FILE, file.type());
    assertEquals(0640, file.mode() & 07777);
    assertEquals(1_600_000_000L, file.mtime());
    assertEquals("hello\n", contents.get("app/hello.txt"));
    assertEquals("long", contents.get("app/" + longName));
    TarEntry link = byName.get("app/link");
    assertEquals(TarEntry.Type.SYMLINK, link.type());
    assertEquals("hello.txt", link.linkName());
    assertFalse(Files.list(out.getParent()).anyMatch(p -> p.getFileName().toString()
        .startsWith(".jbuild-out-")), "no temporary file is left");
  }

  /** Library code never writes to the process's stdout on its own (issue 15). */
  @Test
  void standardOutputDest_withoutAStream_isRefused() throws Exception {
    Files.createDirectories(tmp.resolve("stdout/rootfs/app"));
    LayerStore store = LayerStore.open(tmp.resolve("stdout/store"));
    Image image = new RootfsImporter(store).importRootfs(tmp.resolve("stdout/rootfs"),
        Platform.parse("linux/amd64"), "test");
    IOException e = org.junit.jupiter.api.Assertions.assertThrows(
        IOException.class, () -> new ImageExporter(store).export(image, List.of(),
            OutputSpec.parse("type=tar,dest=-")));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("dest=-"),
        e.getMessage());
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    new ImageExporter(store, out).export(image, List.of(), OutputSpec.parse("type=tar,dest=-"));
    org.junit.jupiter.api.Assertions.assertTrue(out.size() > 0, "the tar went to the stream");
  }
}
