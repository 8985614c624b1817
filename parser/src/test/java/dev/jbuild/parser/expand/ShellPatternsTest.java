package dev.jbuild.parser.expand;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Tests for {@link ShellPatterns}; expectations are what sh (and BuildKit's lex.go) give. */
class ShellPatternsTest {
  @Test
  void globToRegex_starQuestionAndEscapedCharacters() {
    assertEquals(true, "abc".matches(ShellPatterns.globToRegex("a*", '\\')));
    assertEquals(false, "xabc".matches(ShellPatterns.globToRegex("a*", '\\')));
    assertEquals(true, "a.c".matches(ShellPatterns.globToRegex("a?c", '\\')));
    assertEquals(false, "abc".matches(ShellPatterns.globToRegex("a\\?c", '\\')));
    assertEquals(true, "a?c".matches(ShellPatterns.globToRegex("a`?c", '`')));
  }

  @Test
  void trimPrefix_shortestAndLongest() {
    String regex = ShellPatterns.globToRegex("*/", '\\');
    assertEquals("b/c", ShellPatterns.trimPrefix("a/b/c", regex, false));
    assertEquals("c", ShellPatterns.trimPrefix("a/b/c", regex, true));
    assertEquals("abc", ShellPatterns.trimPrefix("abc", regex, true));
  }

  @Test
  void trimSuffix_shortestAndLongest() {
    String regex = ShellPatterns.globToRegex(".*", '\\');
    assertEquals("file.tar", ShellPatterns.trimSuffix("file.tar.gz", regex, false));
    assertEquals("file", ShellPatterns.trimSuffix("file.tar.gz", regex, true));
  }

  @Test
  void unescape_dropsTheEscapeToken() {
    assertEquals("a/b\\", ShellPatterns.unescape("a\\/b\\", '\\'));
  }
}
