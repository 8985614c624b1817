package dev.jbuild.parser;

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
}
