package dev.jbuild.layerstore.tar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.diff.LayerDiffer;
import dev.jbuild.layerstore.snapshot.Snapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GNU sparse files (old GNU and PAX 1.0/0.1, written by GNU tar) stay sparse when extracted; a
 * hardlink to a file in a lower layer is copied up and linked, as on a mounted overlay.
 */
class SparseAndLowerLinkTest {
  private static final long SIZE = 64L << 20;

  @TempDir Path tmp;

  private Path sparseFile() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("src"));
    Path f = dir.resolve("disk.img");
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(SIZE);
      raf.seek(4096);
      raf.write("beginning".getBytes());
      raf.seek(SIZE / 2);
      raf.write("middle".getBytes());
      raf.seek(SIZE - 3);
      raf.write("end".getBytes());
    }
    return f;
  }

  private static String run(Path dir, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    return out.trim();
  }

  private static long allocatedBytes(Path file) throws Exception {
    return Long.parseLong(run(file.getParent(), "stat", "-c", "%b", file.toString())) * 512;
  }

  @Test
  void gnuTarSparseFormats_extractSparse() throws Exception {
    Path source = sparseFile();
    byte[] expected = Files.readAllBytes(source);
    String[][] formats = {
        {"--format=gnu"},
        {"--format=posix", "--sparse-version=1.0"},
        {"--format=posix", "--sparse-version=0.1"}};
    for (String[] format : formats) {
      Path archive = tmp.resolve("s" + format.length + format[format.length - 1] + ".tar");
      String[] cmd = new String[format.length + 5];
      cmd[0] = "tar";
      cmd[1] = "--sparse";
      System.arraycopy(format, 0, cmd, 2, format.length);
      cmd[format.length + 2] = "-cf";
      cmd[format.length + 3] = archive.toString();
      cmd[format.length + 4] = "disk.img";
      run(source.getParent(), cmd);
      assertTrue(Files.size(archive) < 1 << 20, "tar did not write a sparse archive");
      Path root = Files.createDirectories(tmp.resolve("out-" + archive.getFileName()));
      try (InputStream in = Files.newInputStream(archive)) {
        new SafeTarExtractor(SafeTarExtractor.Options.apply()).extract(in, root);
      }
      Path out = root.resolve("disk.img");
      assertEquals(SIZE, Files.size(out), String.join(" ", format));
      assertArrayEquals(expected, Files.readAllBytes(out), String.join(" ", format));
      assertTrue(allocatedBytes(out) < 1 << 20, String.join(" ", format) + ": "
          + allocatedBytes(out) + " bytes allocated, the holes were filled");
      // Reading through the plain content stream expands the holes with zeros.
      try (InputStream in = Files.newInputStream(archive)) {
        TarReader reader = new TarReader(in);
        TarEntry entry = reader.next();
        assertEquals("disk.img", entry.name());
        assertEquals(SIZE, entry.size());
        assertArrayEquals(expected, reader.content().readAllBytes());
      }
    }
  }

  @Test
  void sparseFile_readsAsDenseWhenImported() throws Exception {
    Path source = sparseFile();
    run(source.getParent(), "tar", "--sparse", "--format=posix", "-cf", "../p.tar", "disk.img");
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Layer layer;
    try (InputStream in = Files.newInputStream(tmp.resolve("p.tar"))) {
      layer = LayerDiffer.fromTar(in, store.content());
    }
    assertEquals(SIZE, store.content().layerInfo(layer.blob().digest()).orElseThrow()
        .contentSize());
    Snapshot s = store.snapshots().prepare(List.of(layer));
    Path out = s.absoluteLowerDirsTopFirst().get(0).resolve("disk.img");
    assertEquals(SIZE, Files.size(out));
    assertTrue(allocatedBytes(out) < 1 << 20);
  }

  private static byte[] tar(TarEntry... entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      for (TarEntry e : entries) {
        w.write(e, new ByteArrayInputStream(new byte[(int) e.size()]));
      }
    }
    return out.toByteArray();
  }

  @Test
  void hardlinkToLowerLayerFile_isCopiedUpAndLinked() throws Exception {
    LayerStore store = LayerStore.open(tmp.resolve("store"));
    Path base = Files.createDirectories(tmp.resolve("base/usr/bin"));
    Files.writeString(base.resolve("tool"), "#!/bin/sh\necho tool\n");
    Files.setPosixFilePermissions(base.resolve("tool"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
    Layer lower = LayerDiffer.fromDirectory(tmp.resolve("base"), store.content());
    // A layer from a tree-comparing differ: a new name linked to the unchanged lower file.
    byte[] upper = tar(new TarEntry("usr/bin/alias", TarEntry.Type.HARDLINK, 0750, 0, 0, 0, 1,
        "usr/bin/tool", 0, 0, Map.of()));
    Layer top;
    try (InputStream in = new ByteArrayInputStream(upper)) {
      top = LayerDiffer.fromTar(in, store.content());
    }
    Snapshot s = store.snapshots().prepare(List.of(lower, top));
    Path topDir = s.absoluteLowerDirsTopFirst().get(0);
    Path alias = topDir.resolve("usr/bin/alias");
    Path copied = topDir.resolve("usr/bin/tool");
    assertEquals("#!/bin/sh\necho tool\n", Files.readString(alias));
    assertEquals(Files.getAttribute(alias, "unix:ino"), Files.getAttribute(copied, "unix:ino"));
    assertEquals(2, Files.getAttribute(alias, "unix:nlink"));
    assertEquals("rwxr-x---", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(copied, LinkOption.NOFOLLOW_LINKS)));
    // The lower layer itself is never written.
    assertEquals(1, Files.getAttribute(s.absoluteLowerDirsTopFirst().get(1)
        .resolve("usr/bin/tool"), "unix:nlink"));
    // A link to something in no layer at all is still refused.
    byte[] dangling = tar(new TarEntry("x", TarEntry.Type.HARDLINK, 0644, 0, 0, 0, 1,
        "usr/bin/missing", 0, 0, Map.of()));
    Layer bad;
    try (InputStream in = new ByteArrayInputStream(dangling)) {
      bad = LayerDiffer.fromTar(in, store.content());
    }
    assertThrows(UnsafeTarEntryException.class,
        () -> store.snapshots().prepare(List.of(lower, bad)));
  }
}
