package dev.jbuild.parser;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import dev.jbuild.parser.expand.ExpansionException;
import dev.jbuild.parser.expand.VariableExpander;
import dev.jbuild.parser.ignore.DockerIgnore;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A bounded, seeded mutation fuzzer (no extra dependency; reproducible from the printed seed):
 * random and mutated Dockerfiles must either parse, and then render as JSON, or fail with a
 * {@link DockerfileSyntaxException} that has a location. Any other exception, or a single input
 * taking more than two seconds, fails the test with the input. The seed corpus is the golden
 * files. Set {@code -Djbuild.fuzz.iterations=N} / {@code -Djbuild.fuzz.seed=S} to fuzz longer.
 */
class DockerfileFuzzTest {

  private static final String[] TOKENS = {
    "FROM ", "RUN ", "COPY ", "ADD ", "ENV ", "ARG ", "LABEL ", "ONBUILD ", "HEALTHCHECK ",
    "CMD ", "SHELL ", "EXPOSE ", "VOLUME ", "WORKDIR ", "USER ", "STOPSIGNAL ", "MAINTAINER ",
    "ENTRYPOINT ", "AS ", "NONE", "\\", "\\\n", "`", "`\n", "\"", "'", "<<EOF", "<<-EOF", "<< EOF",
    "<<'EOF'", "3<<X", "EOF\n", "\tEOF\n", "X\n", "[", "]", "[\"a\", \"b\"]", "[1]", "{", "}",
    "${", "$", "${a:-b}", "${a/b/c}", "=", "k=v ", "--", "--from=x ", "--mount=type=cache ",
    "--link ", "--link=maybe ", "--interval=1ms ", "--retries=-1 ", "#", "# escape=`\n",
    "# check=skip=all\n", "# syntax=x\n", "\n", "\r\n", " ", "\t", "\u00a0", "\uFEFF", "é",
    "\u0000", "CMD\n", "--platform=$P ", "cmd ", "none\n",
  };

  @Test
  void randomAndMutatedInputs_onlyParseOrFailWithLocation() throws Exception {
    long seed = Long.getLong("jbuild.fuzz.seed", 20260821L);
    int iterations = Integer.getInteger("jbuild.fuzz.iterations", 30_000);
    List<String> corpus = corpus();
    Random random = new Random(seed);
    assertTimeoutPreemptively(
        Duration.ofSeconds(120),
        () -> {
          for (int i = 0; i < iterations; i++) {
            String input =
                random.nextInt(4) == 0
                    ? randomText(random)
                    : mutate(corpus.get(random.nextInt(corpus.size())), random);
            check(input, seed, i);
          }
        });
  }

  @Test
  void randomWords_onlyExpandOrFailWithExpansionException() {
    Random random = new Random(Long.getLong("jbuild.fuzz.seed", 7L));
    String[] parts = {"$", "{", "}", ":", "-", "+", "?", "#", "%", "/", "//", "a", "b", "\\", "'",
        "\"", "*", " ", "${a", "${b:-", "`"};
    Map<String, String> vars = Map.of("a", "abc/def", "b", "", "c", "x y");
    for (int i = 0; i < 50_000; i++) {
      StringBuilder word = new StringBuilder();
      int n = random.nextInt(12);
      for (int j = 0; j < n; j++) {
        word.append(parts[random.nextInt(parts.length)]);
      }
      for (VariableExpander expander :
          List.of(VariableExpander.standard(), VariableExpander.withEscapeToken('`'))) {
        try {
          expander.expand(word.toString(), vars);
          expander.expandWords(word.toString(), vars);
        } catch (ExpansionException expected) {
          assertTrue(expected.getMessage().startsWith("failed to process \""));
        } catch (RuntimeException e) {
          throw new AssertionError("expanding " + AstPrinter.q(word.toString()) + " threw " + e, e);
        }
      }
    }
  }

  @Test
  void randomIgnorePatterns_onlyMatchOrFailWithIllegalArgument() {
    Random random = new Random(11L);
    String[] parts = {"*", "**", "?", "[", "]", "^", "-", "a", "b", "/", "!", "\\", ".", "..", " "};
    for (int i = 0; i < 20_000; i++) {
      StringBuilder pattern = new StringBuilder();
      int n = 1 + random.nextInt(8);
      for (int j = 0; j < n; j++) {
        pattern.append(parts[random.nextInt(parts.length)]);
      }
      try {
        DockerIgnore ignore = DockerIgnore.parse(pattern + "\n");
        ignore.matches("a/b/c");
        ignore.canSkipDirectory("a/b");
      } catch (IllegalArgumentException expected) {
        assertTrue(expected.getMessage().startsWith("illegal exclusion pattern")
            || expected.getMessage().startsWith("syntax error in pattern"), expected.getMessage());
      } catch (RuntimeException e) {
        throw new AssertionError("pattern " + AstPrinter.q(pattern.toString()) + " threw " + e, e);
      }
    }
  }

  private static void check(String input, long seed, int iteration) {
    long start = System.nanoTime();
    try {
      Dockerfile dockerfile = DockerfileParser.parse(input, "Dockerfile");
      DockerfileJson.toJson(dockerfile);
      dockerfile.stages();
      dockerfile.checkOptions();
    } catch (DockerfileSyntaxException e) {
      if (e.range() == null || e.range().startLine() < 1 || e.range().startColumn() < 1
          || !e.getMessage().startsWith("Dockerfile:")) {
        fail("error without location for seed " + seed + " iteration " + iteration + ": "
            + e.getMessage() + "\ninput: " + AstPrinter.q(input));
      }
    } catch (RuntimeException | StackOverflowError e) {
      throw new AssertionError(
          "seed " + seed + " iteration " + iteration + " threw " + e + "\ninput: "
              + AstPrinter.q(input), e);
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    if (millis > 2_000) {
      fail("parse took " + millis + " ms, input: " + AstPrinter.q(input));
    }
  }

  private static String mutate(String text, Random random) {
    StringBuilder s = new StringBuilder(text);
    int mutations = 1 + random.nextInt(4);
    for (int m = 0; m < mutations; m++) {
      int at = s.length() == 0 ? 0 : random.nextInt(s.length() + 1);
      switch (random.nextInt(5)) {
        case 0:
        case 1:
          s.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
          break;
        case 2:
          if (s.length() > 0) {
            int end = Math.min(s.length(), at + 1 + random.nextInt(8));
            s.delete(Math.min(at, s.length()), end);
          }
          break;
        case 3:
          if (s.length() > 0 && at < s.length()) {
            int end = Math.min(s.length(), at + 1 + random.nextInt(20));
            s.insert(random.nextInt(s.length() + 1), s.substring(at, end));
          }
          break;
        default:
          if (at < s.length()) {
            s.setCharAt(at, (char) (random.nextInt(3) == 0 ? random.nextInt(0x3000) : 32 + random.nextInt(95)));
          }
      }
    }
    return s.toString();
  }

  private static String randomText(Random random) {
    StringBuilder s = new StringBuilder();
    int n = random.nextInt(30);
    for (int i = 0; i < n; i++) {
      s.append(TOKENS[random.nextInt(TOKENS.length)]);
    }
    return s.toString();
  }

  private static List<String> corpus() throws IOException, URISyntaxException {
    Path root = Path.of(DockerfileFuzzTest.class.getResource("/dockerfiles").toURI());
    List<String> texts = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(f -> f.getFileName().toString().equals("Dockerfile"))
          .sorted().collect(Collectors.toList())) {
        texts.add(Files.readString(p, StandardCharsets.UTF_8));
      }
    }
    return texts;
  }
}
