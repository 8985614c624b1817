package dev.jbuild.parser.internal;

import dev.jbuild.parser.ast.Arg;
import dev.jbuild.parser.ast.CheckOptions;
import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import dev.jbuild.parser.ast.Instruction;
import dev.jbuild.parser.ast.SourceRange;
import dev.jbuild.parser.ast.SyntaxNode;
import dev.jbuild.parser.ast.Warning;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parse pipeline behind {@link dev.jbuild.parser.DockerfileParser}: physical lines, directives,
 * logical lines, instructions, then whole-file checks and lint warnings. Not API: use the facade.
 */
public final class DockerfileReader {

  private static final Pattern CHECK_COMMENT =
      Pattern.compile("(?i)check\\s*=\\s*(.+?)\\s*");

  /**
   * The rules BuildKit runs while it reads the file (its parser and {@code instructions.Parse}),
   * so that their warnings of the lines before a syntax error are reported with the error
   * (testWarningsBeforeError); the others run on the whole parsed file or per stage.
   */
  private static final Set<String> READ_TIME_RULES = Set.of("NoEmptyContinuation",
      "MaintainerDeprecated", "StageNameCasing", "FromAsCasing",
      "InvalidDefinitionDescription");

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
    return read(text, fileName, false);
  }

  /**
   * Parses a whole Dockerfile, or only its syntax.
   *
   * @param text the file content
   * @param fileName name used as the prefix of error messages
   * @param syntaxOnly true for BuildKit's parser layer only: the result has {@link
   *     Dockerfile#nodes()} and no typed instructions, and instruction-layer errors (flag checks,
   *     argument counts, HEALTHCHECK details, instructions before the first FROM) are not raised
   * @return the parsed file
   * @throws DockerfileSyntaxException on the first error
   */
  public static Dockerfile read(String text, String fileName, boolean syntaxOnly)
      throws DockerfileSyntaxException {
    return read(text, fileName, syntaxOnly, null);
  }

  /**
   * Parses a whole Dockerfile, or only its syntax, with the given build checks.
   *
   * @param checks the build-check options that replace the file's {@code # check=} directive
   *     (BuildKit's {@code BUILDKIT_DOCKERFILE_CHECK} build argument), or null for the directive's
   * @see #read(String, String, boolean)
   */
  public static Dockerfile read(String text, String fileName, boolean syntaxOnly,
      CheckOptions checks) throws DockerfileSyntaxException {
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
    CheckOptions fileChecks = checks != null ? checks : directives.checkOptions();
    LineJoiner joiner = new LineJoiner(lines, directives.escapeToken(),
        directives.values().size());
    InstructionBuilder builder = new InstructionBuilder(fileName, directives.escapeToken(), joiner, syntaxOnly);
    List<InstructionBuilder.Built> built = new ArrayList<>();
    List<Instruction> instructions = new ArrayList<>();
    List<SyntaxNode> nodes = new ArrayList<>();
    for (LogicalLine line = joiner.next(); line != null; line = joiner.next()) {
      InstructionBuilder.Built b;
      try {
        b = builder.build(line);
      } catch (DockerfileSyntaxException e) {
        List<Warning> before = new ArrayList<>();
        for (Warning w : reported(joiner.warnings(), built, nodes, fileChecks)) {
          if (READ_TIME_RULES.contains(w.rule())) {
            before.add(w);
          }
        }
        throw new DockerfileSyntaxException(e, before);
      }
      if (b.instruction() != null) {
        built.add(b);
        instructions.add(b.instruction());
      }
      nodes.add(b.node());
    }
    if (nodes.isEmpty()) {
      throw new DockerfileSyntaxException(
          fileName, SourceRange.at(Math.max(1, lines.size()), 1), "file with no instructions");
    }
    // BuildKit's instruction layer (instructions.Parse), not its parser, requires a FROM first.
    for (Instruction instruction : syntaxOnly ? List.<Instruction>of() : instructions) {
      if (instruction instanceof dev.jbuild.parser.ast.From) {
        break;
      }
      if (!(instruction instanceof Arg)) {
        throw new DockerfileSyntaxException(
            fileName, instruction.range(), "no build stage in current context");
      }
    }
    List<Warning> warnings = reported(joiner.warnings(), built, nodes, fileChecks);
    return new Dockerfile(directives.values(), syntaxOnly ? List.of() : instructions, warnings,
        nodes);
  }

  /** The line-structure and lint warnings in line order, without the skipped rules. */
  private static List<Warning> reported(List<Warning> lineWarnings,
      List<InstructionBuilder.Built> built, List<SyntaxNode> nodes, CheckOptions checks) {
    List<Warning> all = new ArrayList<>(lineWarnings);
    all.addAll(Lints.check(built));
    all.sort(Comparator.comparingInt(Warning::line));
    List<Warning> warnings = new ArrayList<>();
    for (Warning warning : all) {
      if (checks.enabled(warning.rule()) && instructionChecks(nodes, warning.line()).enabled(warning.rule())) {
        warnings.add(warning);
      }
    }
    return warnings;
  }

  /**
   * Returns the per-instruction check options (Dockerfile 1.21: a {@code # check=skip=...}
   * comment directly above the instruction) of the instruction containing {@code line}. An
   * invalid per-instruction comment is an ordinary comment.
   */
  private static CheckOptions instructionChecks(List<SyntaxNode> nodes, int line) {
    for (SyntaxNode node : nodes) {
      if (node.range().startLine() <= line && line <= node.range().endLine()) {
        for (String comment : node.comments()) {
          Matcher m = CHECK_COMMENT.matcher(comment);
          if (m.matches()) {
            try {
              return CheckOptions.parse(m.group(1));
            } catch (IllegalArgumentException notACheck) {
              return CheckOptions.DEFAULT;
            }
          }
        }
        break;
      }
    }
    return CheckOptions.DEFAULT;
  }
}
