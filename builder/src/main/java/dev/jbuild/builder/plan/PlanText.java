package dev.jbuild.builder.plan;

import dev.jbuild.parser.ast.SourceRange;

/** The text of instructions as step labels show it. */
final class PlanText {
  private PlanText() {}

  /** The instruction's source text on one line: continuations joined, whitespace collapsed. */
  static String text(SourceRange range, String[] lines, char escape) {
    StringBuilder sb = new StringBuilder();
    int last = Math.min(range.endLine(), lines.length);
    for (int l = range.startLine(); l <= last; l++) {
      String line = lines[l - 1].strip();
      if (l > range.startLine() && lines[range.startLine() - 1].contains("<<")) {
        // Here-document bodies are not part of the label, as in BuildKit.
        break;
      }
      if (line.startsWith("#")) {
        continue;
      }
      if (l < last && line.endsWith(String.valueOf(escape))) {
        line = line.substring(0, line.length() - 1);
      }
      sb.append(line).append(' ');
    }
    String text = sb.toString().replaceAll("\\s+", " ").strip();
    return text.length() > 200 ? text.substring(0, 197) + "..." : text;
  }
}
