package dev.jbuild.parser.internal;

import dev.jbuild.parser.Dockerfile;
import dev.jbuild.parser.DockerfileSyntaxException;
import dev.jbuild.parser.Warning;
import dev.jbuild.parser.ast.Arg;
import dev.jbuild.parser.ast.Instruction;
import dev.jbuild.parser.ast.SourceRange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The parse pipeline behind {@link dev.jbuild.parser.DockerfileParser}: physical lines, directives,
 * logical lines, instructions, then whole-file checks and lint warnings. Not API: use the facade.
 */
public final class DockerfileReader {

  private DockerfileReader() {}

  /**
   * Parses a whole Dockerfile.
   *
   * @param text the file content
   * @param fileName name used as the prefix of error messages
   * @return the parsed file
   * @throws DockerfileSyntaxException on the first error
   */
  public static Dockerfile read(String text, String fileName) throws DockerfileSyntaxException {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(fileName, "fileName");
    List<String> lines = SourceLines.split(text);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).length() > SourceLines.MAX_LINE_LENGTH) {
        throw new DockerfileSyntaxException(
            fileName,
            new SourceRange(i + 1, 1, i + 1, lines.get(i).length()),
            "dockerfile line greater than max allowed size of " + SourceLines.MAX_LINE_LENGTH);
      }
    }
    Directives directives = Directives.scan(lines, fileName);
    LineJoiner joiner = new LineJoiner(lines, directives.escapeToken());
    InstructionBuilder builder = new InstructionBuilder(fileName, directives.escapeToken(), joiner);
    List<Instruction> instructions = new ArrayList<>();
    for (LogicalLine line = joiner.next(); line != null; line = joiner.next()) {
      instructions.add(builder.build(line));
    }
    if (instructions.isEmpty()) {
      throw new DockerfileSyntaxException(
          fileName, SourceRange.at(Math.max(1, lines.size()), 1), "file with no instructions");
    }
    for (Instruction instruction : instructions) {
      if (instruction instanceof dev.jbuild.parser.ast.From) {
        break;
      }
      if (!(instruction instanceof Arg)) {
        throw new DockerfileSyntaxException(
            fileName, instruction.range(), "no build stage in current context");
      }
    }
    List<Warning> warnings = new ArrayList<>(joiner.warnings());
    warnings.addAll(Lints.check(instructions));
    warnings.sort(Comparator.comparingInt(Warning::line));
    return new Dockerfile(directives.values(), instructions, warnings);
  }
}
