package dev.jbuild.layerstore.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link RootedPath}: the {@code ..} and symlink rules of filepath-securejoin's
 * {@code SecureJoin} tests (cases ported as ideas; the table is jbuild's), on an in-memory tree.
 */
class RootedPathTest {
  /** Symlinks of a small tree: path → target. */
  private static final Map<String, String> LINKS = Map.of(
      "abs", "/etc",
      "rel", "../../../etc",
      "up", "..",
      "a/b/link", "../c",
      "loop1", "loop2",
      "loop2", "loop1",
      "deep", "a/b/link/../../x");

  private static RootedPath.Lookup links(List<String> seen) {
    return (resolved, last) -> {
      String p = String.join("/", resolved);
      seen.add(p);
      return Optional.ofNullable(LINKS.get(p));
    };
  }

  private static String clamp(String path) throws IOException {
    return String.join("/", RootedPath.clamped().resolve(path, links(new ArrayList<>())));
  }

  @Test
  void testResolve_dotDotAtRootStaysAtRoot() throws IOException {
    assertEquals("", clamp(".."));
    assertEquals("etc", clamp("/../../etc"));
    assertEquals("etc/x", clamp("rel/x"), "a relative link cannot climb out");
    assertEquals("", clamp("up/up"));
  }

  @Test
  void testResolve_absoluteTargetRestartsAtRoot() throws IOException {
    assertEquals("etc/passwd", clamp("abs/passwd"));
  }

  @Test
  void testResolve_dotDotAppliesAfterTheLinksBeforeIt() throws IOException {
    // a/b/link -> ../c is a/c; its ".." is then a, not a/b (the kernel's and securejoin's rule).
    assertEquals("a", clamp("a/b/link/.."));
    assertEquals("x", clamp("deep"));
  }

  @Test
  void testResolve_notFollowingLastLeavesItAndDoesNotLookItUp() throws IOException {
    List<String> seen = new ArrayList<>();
    List<String> r = RootedPath.clamped().followingLast(false).resolve("abs/../abs", links(seen));
    assertEquals(List.of("abs"), r);
    assertEquals(List.of("abs", "etc"), seen, "the first abs is followed, the last not looked up");
  }

  @Test
  void testResolve_loopFails() {
    IOException e = assertThrows(RootedPath.EscapeException.class, () -> clamp("loop1/x"));
    assertEquals("too many levels of symbolic links", e.getMessage());
  }

  @Test
  void testResolve_refusingRejectsDotDotAboveRoot() throws IOException {
    RootedPath refusing = RootedPath.refusing(255);
    assertThrows(RootedPath.EscapeException.class,
        () -> refusing.resolve("rel/x", links(new ArrayList<>())));
    assertThrows(RootedPath.EscapeException.class,
        () -> refusing.resolve("up", links(new ArrayList<>())));
    assertEquals(List.of("a", "c"), refusing.resolve("a/b/link", links(new ArrayList<>())));
  }

  @Test
  void testResolve_lookupSeesEachComponentWithLastFlag() throws IOException {
    List<Boolean> lasts = new ArrayList<>();
    RootedPath.clamped().resolve("x/./y//z", (resolved, last) -> {
      lasts.add(last);
      return Optional.empty();
    });
    assertEquals(List.of(false, false, true), lasts);
  }

  @Test
  void testClean_isLexical() {
    assertEquals(List.of("b"), RootedPath.clean("/../a/../b/."));
    assertTrue(RootedPath.clean("/").isEmpty());
    assertEquals(List.of("a", "..", "b"), RootedPath.components("./a/../b/"));
  }
}
