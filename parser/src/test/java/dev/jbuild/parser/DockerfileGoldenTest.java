package dev.jbuild.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden tests for {@link DockerfileParser}: every directory under {@code dockerfiles/positive}
 * holds a {@code Dockerfile} and the expected {@link AstPrinter} rendering in {@code expected.txt};
 * every directory under {@code dockerfiles/negative} holds a {@code Dockerfile} and the exact
 * expected error message in {@code expected-error.txt}. The cases are written for jbuild from the
 * language reference, not copied from BuildKit. Run with {@code -Djbuild.golden.update=true} to
 * rewrite the expected files after an intended change (then review the diff).
 */
class DockerfileGoldenTest {

  static Stream<String> positiveCases() throws IOException, URISyntaxException {
    return cases("positive");
  }

  static Stream<String> negativeCases() throws IOException, URISyntaxException {
    return cases("negative");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("positiveCases")
  void parse_positiveCase_matchesGolden(String name) throws Exception {
    Path dir = root().resolve("positive").resolve(name);
    String text = Files.readString(dir.resolve("Dockerfile"), StandardCharsets.UTF_8);

    Dockerfile dockerfile = DockerfileParser.parse(text, "Dockerfile");

    check(dir.resolve("expected.json"), DockerfileJson.toJson(dockerfile), true);
    check(dir.resolve("expected.txt"), AstPrinter.print(dockerfile), false);
  }

  /** Compares with the golden file, or (re)writes it in update mode. */
  private static void check(Path golden, String actual, boolean required) throws IOException {
    if (Boolean.getBoolean("jbuild.golden.update")) {
      if (required || Files.exists(golden)) {
        Files.writeString(source(golden), actual, StandardCharsets.UTF_8);
      }
      return;
    }
    if (!required && !Files.exists(golden)) {
      return;
    }
    assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual, golden.toString());
  }

  /** Maps a file under target/test-classes back to src/test/resources for update mode. */
  private static Path source(Path compiled) {
    String s = compiled.toString().replace("target/test-classes", "src/test/resources");
    return Path.of(s);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("negativeCases")
  void parse_negativeCase_failsWithExpectedMessage(String name) throws Exception {
    Path dir = root().resolve("negative").resolve(name);
    String text = Files.readString(dir.resolve("Dockerfile"), StandardCharsets.UTF_8);
    String expected = Files.readString(dir.resolve("expected-error.txt"), StandardCharsets.UTF_8);

    DockerfileSyntaxException e =
        assertThrows(DockerfileSyntaxException.class, () -> DockerfileParser.parse(text, "Dockerfile"));

    assertEquals(expected.strip(), e.getMessage());
    assertTrue(e.range().startLine() >= 1 && e.range().startColumn() >= 1, "has a location");
  }

  private static Stream<String> cases(String kind) throws IOException, URISyntaxException {
    List<String> names;
    try (Stream<Path> dirs = Files.list(root().resolve(kind))) {
      names = dirs.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
    assertFalse(names.isEmpty(), "no " + kind + " cases");
    return names.stream();
  }

  private static Path root() throws URISyntaxException {
    return Path.of(DockerfileGoldenTest.class.getResource("/dockerfiles").toURI());
  }
}
