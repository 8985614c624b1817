package dev.jbuild.parser.ast;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A parsed Dockerfile: its parser directives, its instructions in source order and the warnings
 * found while parsing. Immutable.
 *
 * <p>{@link dev.jbuild.parser.DockerfileParser#parse} guarantees that the only instructions before
 * the first FROM are ARGs (the global ARGs) and that there is at least one FROM, so {@link
 * #stages()} is never empty. A syntax-only result ({@link
 * dev.jbuild.parser.DockerfileParser#parseSyntax}) has nodes and no instructions.
 *
 * @param directives parser directives with lower-case keys ({@code syntax}, {@code escape},
 *     {@code check}) and raw values, in source order
 * @param instructions all instructions in source order
 * @param warnings non-fatal findings in source order, already filtered by {@code # check=skip}
 * @param nodes BuildKit parser-layer view of each instruction, parallel to {@code instructions}
 *     (what {@code jbuild parse --json} prints); empty when built without it; for a syntax-only
 *     parse, the nodes alone with {@code instructions} empty
 */
public record Dockerfile(
    Map<String, String> directives,
    List<Instruction> instructions,
    List<Warning> warnings,
    List<SyntaxNode> nodes) {

  /** Copies the components into immutable collections, keeping the directive order. */
  public Dockerfile {
    directives = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(directives));
    instructions = List.copyOf(instructions);
    warnings = List.copyOf(warnings);
    nodes = List.copyOf(nodes);
    if (!nodes.isEmpty() && !instructions.isEmpty() && nodes.size() != instructions.size()) {
      throw new IllegalArgumentException("nodes must be parallel to instructions");
    }
  }

  /** Creates a Dockerfile without parser-layer nodes (kept for callers of the first version). */
  public Dockerfile(
      Map<String, String> directives, List<Instruction> instructions, List<Warning> warnings) {
    this(directives, instructions, warnings, List.of());
  }

  /**
   * Returns the build-check options of the {@code # check=} directive ({@link
   * CheckOptions#DEFAULT} without one). The parser has validated the directive.
   */
  public CheckOptions checkOptions() {
    return CheckOptions.parse(directives.get("check"));
  }

  /**
   * Returns the declarations of the global ARGs (before the first FROM) in order. Their values are
   * usable in FROM lines only (image and {@code --platform}); inside a stage, {@code ARG NAME}
   * without a default takes the global value (see {@link Stage#argDeclarations()}).
   */
  public List<ArgDecl> globalArgDeclarations() {
    List<ArgDecl> decls = new ArrayList<>();
    for (Arg arg : globalArgs()) {
      decls.addAll(arg.args());
    }
    return List.copyOf(decls);
  }

  /** Returns the escape token from the {@code escape} directive, {@code '\\'} by default. */
  public char escapeToken() {
    String escape = directives.get("escape");
    return escape == null ? '\\' : escape.charAt(0);
  }

  /** Returns the ARG instructions before the first FROM (usable in FROM lines only). */
  public List<Arg> globalArgs() {
    List<Arg> args = new ArrayList<>();
    for (Instruction instruction : instructions) {
      if (instruction instanceof From) {
        break;
      }
      if (instruction instanceof Arg) {
        args.add((Arg) instruction);
      }
    }
    return List.copyOf(args);
  }

  /** Returns the build stages in source order, each a FROM with the instructions that follow it. */
  public List<Stage> stages() {
    List<Stage> stages = new ArrayList<>();
    From from = null;
    List<Instruction> body = new ArrayList<>();
    for (Instruction instruction : instructions) {
      if (instruction instanceof From) {
        if (from != null) {
          stages.add(new Stage(stages.size(), from, body));
        }
        from = (From) instruction;
        body = new ArrayList<>();
      } else if (from != null) {
        body.add(instruction);
      }
    }
    if (from != null) {
      stages.add(new Stage(stages.size(), from, body));
    }
    return List.copyOf(stages);
  }
}
