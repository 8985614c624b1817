package dev.jbuild.parser.internal;

import dev.jbuild.parser.ast.DockerfileSyntaxException;

/**
 * An error of BuildKit's instruction layer ({@code instructions/parse.go}: argument counts, flag
 * checks, HEALTHCHECK details, stage names), as opposed to its parser layer ({@code
 * parser/parser.go} and {@code line_parsers.go}). {@link InstructionBuilder} rethrows the wrapped
 * exception unchanged on the build path and ignores it on the syntax-only path ({@code jbuild
 * parse}), which must accept what BuildKit's {@code parser.Parse} accepts.
 *
 * <p>Unchecked so the per-instruction builders keep their signatures; it never leaves this
 * package: {@link InstructionBuilder#build} converts or drops it.
 */
final class InstructionLayerError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final transient DockerfileSyntaxException error;

  InstructionLayerError(DockerfileSyntaxException error) {
    super(error.getMessage(), null, false, false);
    this.error = error;
  }
}
