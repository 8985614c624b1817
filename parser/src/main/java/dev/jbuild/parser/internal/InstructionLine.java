package dev.jbuild.parser.internal;

import dev.jbuild.parser.ast.DockerfileSyntaxException;
import dev.jbuild.parser.ast.Flag;
import dev.jbuild.parser.ast.Heredoc;
import dev.jbuild.parser.ast.SourceRange;
import java.util.List;

/**
 * Everything known about the instruction line being built: its source, its parsed words and flags,
 * and the BuildKit parser-layer view ({@code nodeArgs}, JSON and legacy forms, heredocs, ONBUILD
 * trigger) that the per-instruction builders fill in. Mutable, used by one build only.
 */
final class InstructionLine {

  final String fileName;
  final LogicalLine source;
  final int offset;
  final LineSyntax syntax;
  final String keyword;
  final List<Flag> flags;
  /** BuildKit parser-layer arguments of the instruction, set by the per-instruction builders. */
  List<String> nodeArgs = List.of();
  boolean json;
  boolean legacyForm;
  List<Heredoc> heredocs = List.of();
  InstructionBuilder.Built trigger;

  InstructionLine(String fileName, LogicalLine source, int offset, LineSyntax syntax,
      String keyword, List<Flag> flags) {
    this.fileName = fileName;
    this.source = source;
    this.offset = offset;
    this.syntax = syntax;
    this.keyword = keyword;
    this.flags = flags;
  }

  String rest() {
    return syntax.rest();
  }

  /** Range of the whole instruction so far (call after reading heredocs). */
  SourceRange range() {
    return source.rangeToEnd(offset + syntax.keyword().start());
  }

  DockerfileSyntaxException error(String message) {
    return new DockerfileSyntaxException(fileName, range(), message);
  }

  /** An instruction-layer error (see {@link InstructionLayerError}) over the whole line. */
  InstructionLayerError instructionError(String message) {
    return new InstructionLayerError(error(message));
  }

  /** An instruction-layer error (see {@link InstructionLayerError}) at one word. */
  InstructionLayerError instructionErrorAt(LineSyntax.Token token, String message) {
    return new InstructionLayerError(errorAt(token, message));
  }

  DockerfileSyntaxException errorAt(LineSyntax.Token token, String message) {
    return new DockerfileSyntaxException(
        fileName, source.range(offset + token.start(), offset + token.end()), message);
  }
}
