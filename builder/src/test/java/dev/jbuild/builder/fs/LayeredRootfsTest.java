package dev.jbuild.builder.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layerstore.overlay.OverlayFormat;
import dev.jbuild.layerstore.posix.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link LayeredRootfs}: overlayfs' merge rules without mounting anything. */
class LayeredRootfsTest {
  @TempDir Path tmp;

  private Path layer(String name) throws IOException {
    return Files.createDirectories(tmp.resolve(name));
  }

  private static void write(Path p, String text) throws IOException {
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  @Test
  void locate_topmostEntryWinsAndDirectoriesMerge() throws IOException {
    Path lower = layer("lower");
    Path upper = layer("upper");
    write(lower.resolve("etc/passwd"), "old");
    write(lower.resolve("etc/group"), "g");
    write(upper.resolve("etc/passwd"), "new");
    LayeredRootfs fs = new LayeredRootfs(List.of(upper, lower), p -> false);
    assertEquals("new", fs.readString("/etc/passwd").orElseThrow());
    assertEquals("g", fs.readString("/etc/group").orElseThrow());
    assertEquals(Optional.empty(), fs.locate("/etc/shadow"));
    assertTrue(fs.isDirectory("/etc"));
  }

  /**
   * Issue #10 item 6: an image's {@code /etc/passwd} with a Latin-1 GECOS field failed {@code COPY
   * --chown=name} with "Input length = 1"; the other lines must still be readable.
   */
  @Test
  void readString_notUtf8_keepsTheOtherLines() throws IOException {
    Path lower = layer("lower");
    Files.createDirectories(lower.resolve("etc"));
    Files.write(lower.resolve("etc/passwd"), new byte[] {'j', ':', 'x', ':', '1', ':', '1', ':',
        'J', (byte) 0xE9, ':', '/', ':', '/', 's', 'h', '\n', 'a', ':', 'x', '\n'});
    LayeredRootfs fs = new LayeredRootfs(List.of(lower), p -> false);
    assertEquals("j:x:1:1:J\uFFFD:/:/sh\na:x\n", fs.readString("/etc/passwd").orElseThrow());
  }

  @Test
  void locate_opaqueDirectoryHidesLowerChildren() throws IOException {
    Path lower = layer("lower");
    Path upper = layer("upper");
    write(lower.resolve("opt/old"), "x");
    write(upper.resolve("opt/new"), "y");
    Path opaque = upper.resolve("opt");
    LayeredRootfs fs = new LayeredRootfs(List.of(upper, lower), Set.of(opaque)::contains);
    assertEquals(Optional.empty(), fs.locate("/opt/old"));
    assertTrue(fs.locate("/opt/new").isPresent());
  }

  @Test
  void locate_fileAboveDirectoryHidesIt() throws IOException {
    Path lower = layer("lower");
    Path upper = layer("upper");
    write(lower.resolve("data/inner"), "x");
    write(upper.resolve("data"), "now a file");
    LayeredRootfs fs = new LayeredRootfs(List.of(upper, lower), p -> false);
    assertEquals(Optional.empty(), fs.locate("/data/inner"));
    assertFalse(fs.isDirectory("/data"));
  }

  @Test
  void resolve_followsSymlinksInsideTheRoot() throws IOException {
    Path lower = layer("lower");
    Files.createDirectories(lower.resolve("srv/app"));
    Files.createSymbolicLink(lower.resolve("app"), Path.of("/srv/app"));
    Files.createSymbolicLink(lower.resolve("up"), Path.of("../../../.."));
    Files.createSymbolicLink(lower.resolve("loop"), Path.of("loop"));
    LayeredRootfs fs = new LayeredRootfs(List.of(lower), p -> false);
    assertEquals("/srv/app/x", fs.resolve("/app/x", true));
    assertEquals("/app", fs.resolve("/app", false));
    assertEquals("/etc", fs.resolve("/up/etc", true), "symlinks never leave the root");
    assertThrows(IOException.class, () -> fs.resolve("/loop", true));
  }

  @Test
  @Tag("root")
  void locate_whiteoutHidesLowerEntry() throws IOException {
    Path lower = layer("lower");
    Path upper = layer("upper");
    write(lower.resolve("etc/group"), "g");
    Files.createDirectories(upper.resolve("etc"));
    Posix.mkwhiteout(upper.resolve("etc/group"));
    LayeredRootfs fs = new LayeredRootfs(List.of(upper, lower), p -> false);
    assertTrue(LayeredRootfs.isWhiteout(upper.resolve("etc/group")));
    assertEquals(Optional.empty(), fs.locate("/etc/group"));
  }

  /**
   * A rootless store marks opaque directories in the {@code user.} namespace; a view built for
   * that format must honour them, and the root store's view must not read them.
   */
  @Test
  void ofSnapshots_opaqueXattrNamespaceIsTheStoresFormat() throws IOException {
    Path lower = layer("lower");
    Path upper = layer("upper");
    write(lower.resolve("d/old"), "o");
    write(upper.resolve("d/new"), "n");
    OverlayFormat.USER.markOpaque(upper.resolve("d"));
    assertEquals(List.of("new"), LayeredRootfs.ofSnapshots(List.of(upper, lower),
        OverlayFormat.USER).list("/d"));
    assertEquals(List.of("new", "old"), LayeredRootfs.ofSnapshots(List.of(upper, lower))
        .list("/d"));
  }
}
