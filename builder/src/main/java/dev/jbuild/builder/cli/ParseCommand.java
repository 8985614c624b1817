package dev.jbuild.builder.cli;

import dev.jbuild.parser.DockerfileJson;
import dev.jbuild.parser.DockerfileParser;
import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.Heredoc;
import dev.jbuild.parser.ast.SyntaxNode;
import dev.jbuild.parser.ast.Warning;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild parse [--json] FILE}: parses a Dockerfile and prints its syntax-level AST (before
 * any expansion), for tooling and debugging. Invalid input exits 1 with the parser's one-line
 * {@code FILE:LINE:COLUMN: message} error (printed by {@link ErrorHandler}). Only BuildKit's
 * parser-layer errors count ({@link DockerfileParser#parseSyntax}): a file without FROM, unknown
 * flags or a bare HEALTHCHECK parse, and {@code jbuild build} rejects them.
 */
@Command(name = "parse", mixinStandardHelpOptions = true,
    description = {
      "Parse a Dockerfile and print its syntax tree (nothing is expanded).",
      "Exits 1 with FILE:LINE:COLUMN: message on invalid input. FILE '-' reads stdin."})
final class ParseCommand implements Callable<Integer> {
  @Option(names = "--json",
      description = "Print JSON: directives, instructions (name, flags, args, json, startLine, "
          + "endLine, heredocs, trigger; legacyForm for ENV/LABEL) and warnings.")
  boolean json;

  @Parameters(index = "0", paramLabel = "FILE", description = "The Dockerfile to parse.")
  String file;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Dockerfile dockerfile =
        DockerfileParser.parseSyntax(read(), file.equals("-") ? "Dockerfile" : file);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.print(DockerfileJson.toJson(dockerfile));
    } else {
      printReadable(dockerfile, out);
    }
    out.flush();
    return 0;
  }

  /** The raw bytes: the parser decodes them strictly, as {@code jbuild build} does. */
  private byte[] read() throws IOException {
    try {
      return file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new IOException("Tried to read " + file + " but failed because: no such file", e);
    } catch (IOException e) {
      throw new IOException("Tried to read " + file + " but failed because: " + e.getMessage(), e);
    }
  }

  /** One line per instruction: {@code LINE[-END] NAME [flags] args}, then heredocs and warnings. */
  static void printReadable(Dockerfile dockerfile, PrintWriter out) {
    out.println("escape " + dockerfile.escapeToken());
    for (Map.Entry<String, String> d : dockerfile.directives().entrySet()) {
      if (!d.getKey().equals("escape")) {
        out.println(d.getKey() + " " + d.getValue());
      }
    }
    for (SyntaxNode node : dockerfile.nodes()) {
      printNode(node, "", out);
    }
    for (Warning w : dockerfile.warnings()) {
      out.println("warning: line " + w.line() + ": " + w.message());
    }
  }

  private static void printNode(SyntaxNode node, String indent, PrintWriter out) {
    int start = node.range().startLine();
    int end = node.range().endLine();
    StringBuilder line = new StringBuilder(indent);
    line.append(start == end ? String.valueOf(start) : start + "-" + end).append(' ');
    line.append(node.name().toUpperCase(java.util.Locale.ROOT));
    for (String flag : node.flags()) {
      line.append(' ').append(flag);
    }
    if (node.json() || node.name().equals("env") || node.name().equals("label")) {
      line.append(' ').append(quoted(node.args()));
    } else if (!node.args().isEmpty()) {
      line.append(' ').append(String.join(" ", node.args()));
    }
    if (node.legacyForm()) {
      line.append(" (legacy form)");
    }
    out.println(line);
    for (Heredoc h : node.heredocs()) {
      out.println(indent + "  heredoc " + h.name() + (h.expand() ? "" : " (no expansion)")
          + (h.chomp() ? " (tabs stripped)" : "") + ": " + quoted(List.of(h.content())));
    }
    if (node.trigger() != null) {
      printNode(node.trigger(), indent + "  trigger ", out);
    }
  }

  private static String quoted(List<String> values) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
      s.append(i == 0 ? "" : ", ").append('"').append(v).append('"');
    }
    return s.append(']').toString();
  }
}
