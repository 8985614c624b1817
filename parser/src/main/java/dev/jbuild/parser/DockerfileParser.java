package dev.jbuild.parser;

import dev.jbuild.parser.ast.CheckOptions;
import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import dev.jbuild.parser.ast.SourceRange;
import dev.jbuild.parser.ast.Warning;
import dev.jbuild.parser.internal.DockerfileReader;

/**
 * Parses Dockerfile text into a {@link Dockerfile}, following the BuildKit Dockerfile frontend
 * (parser and instruction layers): line structure, parser directives, heredocs, argument forms,
 * flag checks and argument counts, with BuildKit's error wording. Variables are not expanded; see
 * {@link dev.jbuild.parser.expand.VariableExpander}.
 *
 * <p>Thread-safe and stateless. Never prints anything; every problem is either a {@link
 * DockerfileSyntaxException} or a {@link Warning} in the result.
 */
public final class DockerfileParser {

  private DockerfileParser() {}

  /**
   * Parses a Dockerfile.
   *
   * @param text the whole file content (a leading byte-order mark and CRLF line ends are accepted)
   * @param fileName the name used as prefix of error messages, e.g. {@code Dockerfile}
   * @return the parsed file, with at least one FROM
   * @throws DockerfileSyntaxException on the first error, with its position
   */
  public static Dockerfile parse(String text, String fileName) throws DockerfileSyntaxException {
    return DockerfileReader.read(text, fileName);
  }

  /**
   * Parses a Dockerfile with build-check options that replace its {@code # check=} directive, as
   * BuildKit's {@code BUILDKIT_DOCKERFILE_CHECK} build argument does (testRuleCheckOption): the
   * result's {@link Dockerfile#warnings()} skip the rules {@code checks} skips. The per-instruction
   * {@code # check=skip=} comments still apply.
   *
   * @param checks the options, or null to use the file's directive ({@link #parse(String,
   *     String)})
   * @throws DockerfileSyntaxException on the first error, with its position and the warnings of
   *     the instructions before it ({@link DockerfileSyntaxException#warnings()})
   */
  public static Dockerfile parse(String text, String fileName, CheckOptions checks)
      throws DockerfileSyntaxException {
    return DockerfileReader.read(text, fileName, false, checks);
  }

  /**
   * Parses a Dockerfile read as bytes: decodes them strictly as UTF-8 ({@link #decode}), then
   * parses the text. The {@code jbuild build} and {@code jbuild parse} paths both use this, so a
   * file one accepts the other accepts too.
   *
   * @throws DockerfileSyntaxException on invalid UTF-8 or the first syntax error, with its position
   */
  public static Dockerfile parse(byte[] bytes, String fileName) throws DockerfileSyntaxException {
    return parse(decode(bytes, fileName), fileName);
  }

  /**
   * Parses only the syntax of a Dockerfile, as BuildKit's {@code parser.Parse} does: directives,
   * line structure, heredocs and each instruction's arguments ({@link Dockerfile#nodes()}), but
   * not the checks of BuildKit's instruction layer ({@code instructions.Parse}: flag names and
   * values, argument counts, HEALTHCHECK types and durations, stage names, a FROM before other
   * instructions). {@code jbuild parse} uses it; {@code jbuild build} uses {@link #parse}, which
   * makes those checks with the same messages as before. Unknown instruction words are still
   * rejected here (BuildKit's parser accepts them; jbuild reports them as early as possible).
   *
   * @param bytes the file content, decoded strictly as UTF-8 ({@link #decode})
   * @param fileName the name used as prefix of error messages
   * @return a file with directives, {@link Dockerfile#nodes()} and warnings, and no typed
   *     instructions (do not build from it)
   * @throws DockerfileSyntaxException on invalid UTF-8 or the first parser-layer error
   */
  public static Dockerfile parseSyntax(byte[] bytes, String fileName)
      throws DockerfileSyntaxException {
    return DockerfileReader.read(decode(bytes, fileName), fileName, true);
  }

  /**
   * Decodes Dockerfile bytes strictly as UTF-8 (BuildKit reads bytes and passes invalid sequences
   * through; jbuild works on Java strings, where they would silently become U+FFFD, so it rejects
   * them).
   *
   * @throws DockerfileSyntaxException {@code <fileName>:LINE:COLUMN: invalid UTF-8: byte 0xNN} at
   *     the first invalid byte
   */
  public static String decode(byte[] bytes, String fileName) throws DockerfileSyntaxException {
    try {
      return Utf8Text.decode(bytes);
    } catch (InvalidUtf8Exception e) {
      throw new DockerfileSyntaxException(fileName, SourceRange.at(e.line(), e.column()),
          e.detail());
    }
  }
}
