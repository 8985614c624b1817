package dev.jbuild.parser.ast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The one Levenshtein distance of jbuild's "did you mean" hints. */
class EditDistanceTest {
  @Test
  void between_countsInsertsDeletesAndSubstitutions() {
    assertEquals(0, EditDistance.between("", ""));
    assertEquals(3, EditDistance.between("", "abc"));
    assertEquals(3, EditDistance.between("abc", ""));
    assertEquals(3, EditDistance.between("kitten", "sitting"));
    assertEquals(3, EditDistance.between("sitting", "kitten"));
    assertEquals(1, EditDistance.between("tmp", "tmpf"));
    assertEquals(2, EditDistance.between("tmp", "tmpfs"));
    assertEquals(1, EditDistance.between("RUN", "RUNN"));
    // Case counts: callers lower-case first when it must not.
    assertEquals(3, EditDistance.between("run", "RUN"));
    // A transposition is two edits, as in BuildKit's levenshtein package.
    assertEquals(2, EditDistance.between("form", "from"));
  }
}
