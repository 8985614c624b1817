package dev.jbuild.samples.buildkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The suite's files are consistent without building anything (no root needed): every case names
 * its Go test, uses only known keywords and is listed in the README; the line format parses as
 * the README says.
 */
class BuildKitSuiteFilesTest {
  private static final Set<String> ASSERTIONS = Set.of("fail", "file", "contains", "lacks", "mode",
      "owner", "dir", "link", "type", "samefile", "exists", "absent", "entries", "config", "config-has",
      "config-contains", "config-count", "step", "same", "differs");

  @Test
  void everyCase_namesItsGoTest_usesKnownKeywords_andIsListedInTheReadme() throws Exception {
    List<String> ids = SuiteCases.ids();
    assertFalse(ids.isEmpty());
    List<String> readme = SuiteCases.readmeMentions();
    List<String> problems = new ArrayList<>();
    for (String id : ids) {
      SuiteCase c = SuiteCase.read(id, SuiteCases.root().resolve(id));
      String stem = id.substring(0, id.indexOf('/'));
      if (!c.source().matches("test\\w+, frontend/dockerfile/" + stem + "\\.go")) {
        problems.add(id + ": first line names " + c.source() + ", not a test of " + stem + ".go");
      }
      List<SuiteCase.Line> all = new ArrayList<>(c.checks());
      c.rebuilds().forEach(p -> all.addAll(p.checks()));
      for (SuiteCase.Line l : all) {
        if (!ASSERTIONS.contains(l.keyword())) {
          problems.add(id + ": expect:" + l.number() + ": unknown keyword " + l.keyword());
        }
      }
      if (!readme.contains(id)) {
        problems.add(id + ": not listed in buildkit/README.md");
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void lines_splitIntoWords_quotedWordsAndEscapedText() {
    SuiteCase.Line l = SuiteCase.parse(3, "file \"/a b/c\"  x\\ty\\s");
    assertEquals("file", l.keyword());
    assertEquals("/a b/c", l.word(0));
    assertEquals(" x\ty ", l.textAfter(1));
    assertEquals("", SuiteCase.parse(1, "file /empty").textAfter(1));
    assertEquals("no stages", SuiteCase.parse(1, "fail no stages").textAfter(0));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> l.word(5)).getMessage()
        .startsWith("expect:3: file needs"));
    assertThrows(IllegalArgumentException.class, () -> SuiteCase.parse(1, "file \"open"));
  }
}
