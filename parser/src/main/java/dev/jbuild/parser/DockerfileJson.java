package dev.jbuild.parser;

import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.GoStrings;
import dev.jbuild.parser.ast.Heredoc;
import dev.jbuild.parser.ast.SyntaxNode;
import dev.jbuild.parser.ast.Warning;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the syntax-level view of a parsed Dockerfile (directives, {@link SyntaxNode}s, warnings)
 * as JSON: the output format of {@code jbuild parse --json}. Nothing is expanded.
 *
 * <pre>
 * {"directives": {"escape": "\\"},
 *  "instructions": [
 *    {"name": "copy", "flags": ["--from=build"], "args": ["a", "/b/"], "json": false,
 *     "startLine": 3, "endLine": 3, "heredocs": [], "trigger": null},
 *    {"name": "env", "flags": [], "args": ["k", "v"], "json": false, "legacyForm": false, ...}],
 *  "warnings": [{"line": 7, "message": "..."}]}
 * </pre>
 *
 * <p>{@code directives} always has {@code escape} (the token in effect) plus the directives found
 * ({@code syntax}, {@code check}); {@code legacyForm} is present for ENV and LABEL only; heredocs
 * have {@code name}, {@code content}, {@code expand} and {@code chomp}; {@code trigger} is the
 * ONBUILD trigger node or {@code null}. Output is deterministic (stable key order, two-space
 * indentation, string arrays on one line) so it can be diffed.
 */
public final class DockerfileJson {

  private DockerfileJson() {}

  /**
   * Renders the Dockerfile.
   *
   * @param dockerfile a result of {@link DockerfileParser#parse}
   * @return the JSON text, ending with a newline
   */
  public static String toJson(Dockerfile dockerfile) {
    StringBuilder out = new StringBuilder();
    Map<String, String> directives = new LinkedHashMap<>();
    directives.put("escape", String.valueOf(dockerfile.escapeToken()));
    directives.putAll(dockerfile.directives());
    out.append("{\n  \"directives\": {");
    boolean first = true;
    for (Map.Entry<String, String> d : directives.entrySet()) {
      out.append(first ? "" : ", ").append(string(d.getKey())).append(": ");
      out.append(string(d.getValue()));
      first = false;
    }
    out.append("},\n  \"instructions\": [");
    List<SyntaxNode> nodes = dockerfile.nodes();
    for (int i = 0; i < nodes.size(); i++) {
      out.append(i == 0 ? "\n" : ",\n");
      out.append("    ");
      node(out, nodes.get(i), "    ");
    }
    out.append(nodes.isEmpty() ? "],\n" : "\n  ],\n");
    out.append("  \"warnings\": [");
    List<Warning> warnings = dockerfile.warnings();
    for (int i = 0; i < warnings.size(); i++) {
      Warning w = warnings.get(i);
      out.append(i == 0 ? "\n" : ",\n");
      out.append("    {\"line\": ").append(w.line()).append(", \"message\": ");
      out.append(string(w.message())).append('}');
    }
    out.append(warnings.isEmpty() ? "]\n}\n" : "\n  ]\n}\n");
    return out.toString();
  }

  private static void node(StringBuilder out, SyntaxNode node, String indent) {
    String inner = indent + "  ";
    out.append("{\n");
    out.append(inner).append("\"name\": ").append(string(node.name())).append(",\n");
    out.append(inner).append("\"flags\": ").append(strings(node.flags())).append(",\n");
    out.append(inner).append("\"args\": ").append(strings(node.args())).append(",\n");
    out.append(inner).append("\"json\": ").append(node.json()).append(",\n");
    if (node.name().equals("env") || node.name().equals("label")) {
      out.append(inner).append("\"legacyForm\": ").append(node.legacyForm()).append(",\n");
    }
    out.append(inner).append("\"startLine\": ").append(node.range().startLine()).append(",\n");
    out.append(inner).append("\"endLine\": ").append(node.range().endLine()).append(",\n");
    out.append(inner).append("\"heredocs\": [");
    for (int i = 0; i < node.heredocs().size(); i++) {
      Heredoc h = node.heredocs().get(i);
      out.append(i == 0 ? "" : ", ");
      out.append("{\"name\": ").append(string(h.name()));
      out.append(", \"content\": ").append(string(h.content()));
      out.append(", \"expand\": ").append(h.expand());
      out.append(", \"chomp\": ").append(h.chomp()).append('}');
    }
    out.append("],\n");
    out.append(inner).append("\"trigger\": ");
    if (node.trigger() == null) {
      out.append("null\n");
    } else {
      node(out, node.trigger(), inner);
      out.append('\n');
    }
    out.append(indent).append('}');
  }

  private static String strings(List<String> values) {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      out.append(i == 0 ? "" : ", ").append(string(values.get(i)));
    }
    return out.append(']').toString();
  }

  /** Encodes a JSON string literal (RFC 8259), escaping quotes, backslashes and controls. */
  static String string(String s) {
    return GoStrings.json(s);
  }
}
