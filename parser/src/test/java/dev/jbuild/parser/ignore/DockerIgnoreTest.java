package dev.jbuild.parser.ignore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tests for {@link DockerIgnore}, written from the language reference §1.9. */
class DockerIgnoreTest {

  // patterns (one per ';') | path | excluded?
  @ParameterizedTest(name = "[{0}] {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\u0000',
      value = {
        "*.go|a.go|true",
        "*.go|dir/a.go|false",
        "*/*.go|dir/a.go|true",
        "*/*.go|a/b/c.go|false",
        "**/*.go|a/b/c.go|true",
        "**/*.go|c.go|true",
        "a/**|a/b/c|true",
        "a/**|a|false",
        "a/**/z|a/z|true",
        "a/**/z|a/b/c/z|true",
        "a/**/z|a/b/c/y|false",
        "**|anything/at/all|true",
        "a?c|abc|true",
        "a?c|a/c|false",
        "a?c|abbc|false",
        "[a-c]x|bx|true",
        "[a-c]x|dx|false",
        "[^a-c]x|dx|true",
        "[^a-c]x|ax|false",
        "[abc]|b|true",
        "x[\\]]y|x]y|true",
        "a\\*b|a*b|true",
        "a\\*b|axb|false",
        "foo|foo/bar/baz|true",
        "foo/bar|foo/bar/x|true",
        "foo/bar|foo/barx|false",
        "/foo/bar/|foo/bar|true",
        "./foo//bar/.|foo/bar|true",
        "foo/../bar|bar|true",
        "foo/../bar|foo/bar|false",
        "*;!keep.txt|keep.txt|false",
        "*;!keep.txt|other.txt|true",
        "!keep.txt;*|keep.txt|true",
        "dir;!dir/keep|dir/keep|false",
        "dir;!dir/keep|dir/other|true",
        "dir;!dir/keep|dir/keep/deep|false",
        "dir;!dir/keep;dir/keep/no|dir/keep/no|true",
        "dir;!dir/keep;dir/keep/no|dir/keep/yes|false",
        "*.md;!README.md|README.md|false",
        "*.md;!README.md|CHANGES.md|true",
        "  spaced.txt  |spaced.txt|true",
        "! kept ;*|kept|true",
        "*; ! kept |kept|false",
        "a.b|aXb|false",
        "a+b|a+b|true",
        "(x)|(x)|true",
        "$x|$x|true",
        "x|y|false",
        ".git|.git/config|true",
        "Dockerfile|Dockerfile|true",
      })
  void matches_table(String patterns, String path, boolean excluded) {
    DockerIgnore ignore = DockerIgnore.of(Arrays.asList(patterns.split(";")));

    assertEquals(excluded, ignore.matches(path));
  }

  @Test
  void parse_commentsOnlyInColumnOne_bomAndBlankLines() {
    DockerIgnore ignore = DockerIgnore.parse("\uFEFF# comment\n\n #notcomment\r\n*.log\n  \n");

    assertEquals(
        List.of("#notcomment", "*.log"),
        ignore.patterns().stream().map(IgnorePattern::text).collect(Collectors.toList()));
    assertTrue(ignore.matches("#notcomment"));
    assertTrue(ignore.matches("x.log"));
    assertFalse(ignore.matches("comment"));
  }

  @Test
  void parse_cleansPatterns() {
    DockerIgnore ignore = DockerIgnore.parse("/foo/bar/\n!./a//b/../c\n/\n");

    assertEquals(
        List.of("foo/bar", "a/c", "/"),
        ignore.patterns().stream().map(IgnorePattern::text).collect(Collectors.toList()));
    assertTrue(ignore.patterns().get(1).exception());
  }

  @Test
  void parse_bareExclamation_fails() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DockerIgnore.parse("a\n!\n"));
    assertEquals("illegal exclusion pattern: \"!\"", e.getMessage());
  }

  @Test
  void parse_badClass_fails() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DockerIgnore.parse("a[b\n"));
    assertEquals("syntax error in pattern: \"a[b\"", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DockerIgnore.parse("[z-a]\n"));
    assertThrows(IllegalArgumentException.class, () -> DockerIgnore.parse("trailing\\\n"));
  }

  // patterns | directory | skippable?
  @ParameterizedTest(name = "[{0}] skip {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\u0000',
      value = {
        "node_modules|node_modules|true",
        "node_modules|src|false",
        "node_modules;!node_modules/keep.js|node_modules|false",
        "node_modules;!src/keep.js|node_modules|true",
        "a;!a/b/c|a|false",
        "a;!a/b/c|a/x|true",
        "a;!a/b/c|a/b|false",
        "a;!**/keep|a|false",
        "a;!*/keep|a|false",
        "a;!*/keep|a/b|true",
        "a/b;!a|a/b|false",
        "*;!*.txt|sub|true",
        "*;!*/*.txt|sub|false",
      })
  void canSkipDirectory_table(String patterns, String dir, boolean skippable) {
    DockerIgnore ignore = DockerIgnore.of(Arrays.asList(patterns.split(";")));

    assertEquals(skippable, ignore.canSkipDirectory(dir));
  }

  @Test
  void canSkipDirectory_neverSkipsSomethingThatMatchesWouldInclude() {
    // Property: if a directory is skippable, every path below it is excluded.
    List<String> patternSets =
        List.of("a;!a/b/c", "a;!*/keep", "a/b;!a", "x;!x/**/y", "*;!*.txt", "a;!a/b/c;a/b");
    List<String> paths =
        List.of("a/b/c", "a/b/c/d", "a/keep", "a/x/keep", "a/b/keep", "x/q/y", "x/y", "sub/f.txt");
    for (String set : patternSets) {
      DockerIgnore ignore = DockerIgnore.of(Arrays.asList(set.split(";")));
      for (String path : paths) {
        String[] parts = path.split("/");
        for (int i = 1; i < parts.length; i++) {
          String dir = String.join("/", Arrays.copyOf(parts, i));
          if (ignore.canSkipDirectory(dir)) {
            assertTrue(ignore.matches(path), set + ": skipped " + dir + " but " + path + " is kept");
          }
        }
      }
    }
  }

  @TempDir Path context;

  @Test
  void locate_dockerfileSpecificIgnoreWins() throws IOException {
    Path dockerfile = context.resolve("build").resolve("app.Dockerfile");
    Files.createDirectories(dockerfile.getParent());
    Files.writeString(dockerfile, "FROM scratch\n");
    assertEquals(Optional.empty(), DockerIgnore.locate(context, dockerfile));
    assertFalse(DockerIgnore.load(context, dockerfile).matches("x.log"));

    Files.writeString(context.resolve(".dockerignore"), "*.log\n");
    assertEquals(Optional.of(context.resolve(".dockerignore")), DockerIgnore.locate(context, dockerfile));

    Path specific = dockerfile.resolveSibling("app.Dockerfile.dockerignore");
    Files.writeString(specific, "*.tmp\n");
    assertEquals(Optional.of(specific), DockerIgnore.locate(context, dockerfile));
    DockerIgnore ignore = DockerIgnore.load(context, dockerfile);
    assertTrue(ignore.matches("a.tmp"));
    assertFalse(ignore.matches("a.log"));
  }

  @Test
  void load_invalidPattern_namesTheFile() throws IOException {
    Files.writeString(context.resolve(".dockerignore"), "!\n");
    IOException e =
        assertThrows(IOException.class, () -> DockerIgnore.load(context, context.resolve("Dockerfile")));
    assertEquals(
        "Tried to read " + context.resolve(".dockerignore")
            + " but failed because: illegal exclusion pattern: \"!\"",
        e.getMessage());
  }
}
