package dev.jbuild.layerstore.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbuild.layerstore.posix.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link OverlayFormat}. */
class OverlayFormatTest {
  private static final byte[] Y = "y".getBytes(StandardCharsets.US_ASCII);

  @Test
  void testNamespaces() {
    assertEquals("trusted.overlay.opaque", OverlayFormat.TRUSTED.opaqueXattr());
    assertEquals("user.overlay.opaque", OverlayFormat.USER.opaqueXattr());
  }

  @Test
  void testLayerNames() {
    assertEquals(".wh.x", OverlayFormat.whiteoutEntry("x"));
    assertEquals(Optional.of("x"), OverlayFormat.whitedOutName(".wh.x"));
    assertEquals(Optional.empty(), OverlayFormat.whitedOutName(".wh..wh..opq"));
    assertEquals(Optional.empty(), OverlayFormat.whitedOutName("x"));
    assertTrue(OverlayFormat.isAufsMetadata(".wh..wh.plnk"));
    assertFalse(OverlayFormat.isAufsMetadata(OverlayFormat.OPAQUE_MARKER));
  }

  @Test
  void testXattrRules() {
    assertTrue(OverlayFormat.isOverlayXattr("trusted.overlay.redirect"));
    assertTrue(OverlayFormat.isOverlayXattr("user.overlay.opaque"));
    assertTrue(OverlayFormat.isOverlayXattr("user.fuseoverlayfs.opaque"));
    assertFalse(OverlayFormat.isOverlayXattr("security.capability"));
    assertTrue(OverlayFormat.isOpaque(Map.of("user.overlay.opaque", Y)));
    assertTrue(OverlayFormat.isOpaque(Map.of("user.fuseoverlayfs.opaque", Y)));
    assertFalse(OverlayFormat.isOpaque(Map.of("trusted.overlay.opaque", new byte[] {'n'})));
    assertTrue(OverlayFormat.usesRedirectOrMetacopy(Map.of("trusted.overlay.metacopy", Y)));
    assertTrue(OverlayFormat.isWhiteout(Posix.S_IFREG | 0600, 0, 0,
        Map.of("user.overlay.whiteout", Y)));
    assertFalse(OverlayFormat.isWhiteout(Posix.S_IFREG | 0600, 0, 1,
        Map.of("user.overlay.whiteout", Y)));
    assertTrue(OverlayFormat.isWhiteout(Posix.S_IFCHR | 0, 0));
    assertFalse(OverlayFormat.isWhiteout(Posix.S_IFCHR | 0, Posix.makedev(1, 3)));
  }

  @Test
  void testOpaqueAndWhiteoutOnDisk(@TempDir Path dir) throws IOException {
    Path d = Files.createDirectory(dir.resolve("d"));
    assertFalse(OverlayFormat.USER.isOpaque(d));
    OverlayFormat.USER.markOpaque(d); // user.* xattrs need no privilege
    assertTrue(OverlayFormat.USER.isOpaque(d));
    assertFalse(OverlayFormat.TRUSTED.isOpaque(d), "the namespaces are distinct");
    assertFalse(OverlayFormat.isWhiteout(d));
    assumeTrue(Posix.isRoot(), "mknod of a 0/0 char device needs root");
    Path wh = dir.resolve("gone");
    OverlayFormat.makeWhiteout(wh);
    assertTrue(OverlayFormat.isWhiteout(wh));
  }
}
