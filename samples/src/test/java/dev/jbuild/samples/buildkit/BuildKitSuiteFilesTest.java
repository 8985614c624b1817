package dev.jbuild.samples.buildkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The suite's files are consistent without building anything (no root needed): every case names
 * its Go test, uses only known keywords and is listed in the README; the line format parses as
 * the README says.
 */
class BuildKitSuiteFilesTest {
  private static final Set<String> ASSERTIONS = Set.of("fail", "file", "contains", "lacks", "mode",
      "owner", "dir", "link", "type", "samefile", "exists", "absent", "entries", "config", "config-has",
      "config-contains", "config-count", "step", "same", "differs", "warns", "warnings",
      "config-each", "layer-mtime", "created-later", "same-id", "differs-id",
      "registry-manifest", "tar-file");

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
  void readmeRows_nameEachGoTestOnce_withACaseOrOneOfTheSkipReasons() throws Exception {
    // The issue allows four reasons to skip a Go test; anything else is a case or is said to be
    // not ported yet, so the README cannot hide a portable test behind a vague reason.
    List<String> problems = new ArrayList<>();
    Set<String> seen = new java.util.HashSet<>();
    for (String line : Files.readAllLines(SuiteCases.root().resolve("README.md"))) {
      if (!line.startsWith("| test")) {
        continue;
      }
      String[] cols = line.split(" \\| ");
      String why = cols.length < 2 ? "" : cols[1].replaceAll(" \\|$", "");
      boolean ok = why.startsWith("`") || why.startsWith("see ")
          || why.startsWith("not ported yet: ")
          || why.matches("skipped: (network|git/ssh|other platforms|client API)\\b.*");
      if (!ok) {
        problems.add("no case and no allowed reason: " + line);
      }
      for (String test : cols[0].substring(2).split(", ")) {
        if (!why.startsWith("see ") && !seen.add(test)) {
          problems.add("listed twice: " + test);
        }
      }
    }
    assertTrue(seen.size() > 150, "rows found: " + seen.size());
    assertEquals(List.of(), problems);
  }

  @Test
  void tagAndBuildContextLines_belongToTheirBuild(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("expect"), String.join("\n",
        "# from testX, frontend/dockerfile/x_test.go",
        "build-context base=docker-image://busybox:latest",
        "tag a/b:first",
        "file /x 1",
        "rebuild",
        "write Dockerfile FROM a/b:first\\n",
        "tag a/b:second",
        "file /y 2"));
    SuiteCase c = SuiteCase.read("x_test/x", dir);
    assertEquals(List.of("build-context", "tag"),
        c.setup().stream().map(SuiteCase.Line::keyword).toList());
    assertEquals("base=docker-image://busybox:latest", c.setup().get(0).word(0));
    assertEquals("a/b:first", c.setup().get(1).word(0));
    assertEquals(List.of("write", "tag"),
        c.rebuilds().get(0).setup().stream().map(SuiteCase.Line::keyword).toList());
    assertEquals("FROM a/b:first\n", c.rebuilds().get(0).setup().get(0).textAfter(1));
    assertEquals(List.of("file"),
        c.rebuilds().get(0).checks().stream().map(SuiteCase.Line::keyword).toList());
  }

  @Test
  void inputsLine_namesASiblingCaseOnly_andTheCaseHasNoFilesOfItsOwn(@TempDir Path stem)
      throws Exception {
    Path owner = Files.createDirectories(stem.resolve("owner"));
    Files.writeString(owner.resolve("Dockerfile"), "FROM scratch\n");
    Path user = Files.createDirectories(stem.resolve("user"));
    String first = "# from testX, frontend/dockerfile/x_test.go\n";
    Files.writeString(user.resolve("expect"), first + "inputs owner\n");
    assertEquals(owner, SuiteCase.read("x_test/user", user).inputs());
    for (String bad : List.of("missing", "..", "../user", "/tmp")) {
      Files.writeString(user.resolve("expect"), first + "inputs " + bad + "\n");
      assertThrows(IllegalArgumentException.class, () -> SuiteCase.read("x_test/user", user),
          bad);
    }
    Files.writeString(user.resolve("expect"), first + "inputs owner\n");
    Files.writeString(user.resolve("Dockerfile"), "FROM scratch\n");
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> SuiteCase.read("x_test/user", user)).getMessage().contains("of its own"));
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
