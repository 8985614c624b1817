package dev.jbuild.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbuild.parser.ast.DockerfileSyntaxException;
import dev.jbuild.parser.ast.GoStrings;
import dev.jbuild.parser.ast.SyntaxNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BuildKit's parser goldens as a table: the cases of {@code TestParseCases} and {@code
 * TestParseErrorCases} in moby/buildkit {@code frontend/dockerfile/parser/parser_test.go}.
 *
 * <p>Each positive case {@code dockerfiles/buildkit/NAME} holds BuildKit's input {@code
 * frontend/dockerfile/parser/testfiles/NAME/Dockerfile} (test data, copied byte for byte: a comment
 * naming the source would shift lines and directives, so the source is named here) and its
 * expected {@code result} file, also byte for byte: the {@code Node.Dump()} form. The test renders
 * what {@code jbuild parse --json} prints (the {@link SyntaxNode}s) in that form with {@link
 * #dump} and compares; {@code expected.json} pins the same result in the harness's JSON form (as
 * {@link DockerfileGoldenTest} does), so both views stay consistent.
 *
 * <p>Each negative case {@code dockerfiles/buildkit-negative/NAME} holds {@code
 * testfiles-negative/NAME/Dockerfile}; BuildKit only asserts that {@code Parse} fails, so the test
 * pins jbuild's message in {@code expected-error.txt}.
 *
 * <p>The parser layer is what is tested ({@link DockerfileParser#parseSyntax}): like BuildKit's
 * {@code parser.Parse}, it accepts files without FROM, unknown flags and HEALTHCHECK without
 * arguments, which the instruction layer (the builder's path) rejects.
 */
class BuildKitParserGoldenTest {

  /** The 33 directories of {@code testfiles} at moby/buildkit 73ed6825 (2026-08-21). */
  static final List<String> POSITIVE = List.of(
      "ADD-COPY-with-JSON", "args", "brimstone-consuldock", "brimstone-docker-consul",
      "continue-at-eof", "continueIndent", "cpuguy83-nagios", "docker", "env",
      "escape-after-comment", "escape-nonewline", "escape-with-syntax", "escape", "escapes",
      "flags", "health", "influxdb", "jeztah-invalid-json-json-inside-string-double",
      "jeztah-invalid-json-json-inside-string", "jeztah-invalid-json-single-quotes",
      "jeztah-invalid-json-unterminated-bracket", "jeztah-invalid-json-unterminated-string",
      "json", "kartar-entrypoint-oddities", "lk4d4-the-edge-case-generator", "mail",
      "multiple-volumes", "mumble", "nginx", "tf2", "trailing-backslash", "weechat", "znc");

  /** The 4 directories of {@code testfiles-negative}. */
  static final List<String> NEGATIVE =
      List.of("empty_dockerfile", "env_no_value", "only_comments", "shykes-nested-json");

  static Stream<String> positive() {
    return POSITIVE.stream();
  }

  static Stream<String> negative() {
    return NEGATIVE.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("positive")
  void parseSyntax_buildKitTestfile_matchesItsResult(String name) throws Exception {
    Path dir = root().resolve("buildkit").resolve(name);
    byte[] bytes = Files.readAllBytes(dir.resolve("Dockerfile"));

    var dockerfile = DockerfileParser.parseSyntax(bytes, "Dockerfile");

    StringBuilder dump = new StringBuilder();
    for (SyntaxNode node : dockerfile.nodes()) {
      dump.append('(').append(dump(node)).append(")\n");
    }
    // parser_test.go compares result with AST.Dump()+"\n"; Dump trims the trailing newline.
    String expected = Files.readString(dir.resolve("result"), StandardCharsets.UTF_8);
    assertEquals(expected, dump.toString().strip() + "\n", name);
    Path json = dir.resolve("expected.json");
    String actualJson = DockerfileJson.toJson(dockerfile);
    if (Boolean.getBoolean("jbuild.golden.update")) {
      Files.writeString(Path.of(json.toString().replace("target/test-classes",
          "src/test/resources")), actualJson, StandardCharsets.UTF_8);
    } else {
      assertEquals(Files.readString(json, StandardCharsets.UTF_8), actualJson, json.toString());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("negative")
  void parseSyntax_buildKitNegativeTestfile_fails(String name) throws Exception {
    Path dir = root().resolve("buildkit-negative").resolve(name);
    byte[] bytes = Files.readAllBytes(dir.resolve("Dockerfile"));
    String expected = Files.readString(dir.resolve("expected-error.txt"), StandardCharsets.UTF_8);

    DockerfileSyntaxException e = assertThrows(DockerfileSyntaxException.class,
        () -> DockerfileParser.parseSyntax(bytes, "Dockerfile"));

    assertEquals(expected.strip(), e.getMessage());
  }

  /**
   * BuildKit's {@code Node.Dump()} of one instruction: the lower-case name, the flags as Go's
   * {@code %q} of a slice, then each argument quoted; ENV and LABEL as triples {@code key value
   * sep} where sep is {@code "="} or, for the legacy form, {@code ""}; ONBUILD's trigger as a
   * parenthesised child.
   */
  static String dump(SyntaxNode node) {
    StringBuilder s = new StringBuilder(node.name());
    if (!node.flags().isEmpty()) {
      s.append(' ').append(GoStrings.quoteList(node.flags()));
    }
    if (node.trigger() != null) {
      s.append(" (").append(dump(node.trigger())).append(")");
    }
    boolean triples = node.name().equals("env") || node.name().equals("label");
    List<String> args = node.args();
    for (int i = 0; i < args.size(); i++) {
      s.append(' ').append(GoStrings.quote(args.get(i)));
      if (triples && i % 2 == 1) {
        s.append(' ').append(GoStrings.quote(node.legacyForm() ? "" : "="));
      }
    }
    return s.toString().strip();
  }

  private static Path root() throws URISyntaxException {
    return Path.of(BuildKitParserGoldenTest.class.getResource("/dockerfiles").toURI());
  }
}
