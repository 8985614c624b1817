package dev.jbuild.builder.template;

import java.util.List;

/** The parse tree of a template (Go's {@code text/template/parse} nodes, the ones docker uses). */
sealed interface Node {
  /** Literal text, printed as is. */
  record Text(String text) implements Node {}

  /** {@code {{pipeline}}}: printed unless it only declares variables. */
  record Action(Pipeline pipe) implements Node {}

  /** {@code if}, {@code range} or {@code with}, with an optional {@code else} part. */
  record Control(Keyword keyword, Pipeline pipe, List<Node> body, List<Node> otherwise)
      implements Node {}

  /** {@code {{break}}} or {@code {{continue}}} inside a range. */
  record LoopJump(boolean isBreak) implements Node {}

  /** The control keywords. */
  enum Keyword { IF, RANGE, WITH }

  /**
   * Commands joined by {@code |}; each command's result is the last argument of the next.
   *
   * @param pos offset of the pipeline in the template
   * @param variables variables declared ({@code :=}) or assigned ({@code =}) by the pipeline
   * @param declare true for {@code :=}
   */
  record Pipeline(int pos, List<String> variables, boolean declare, List<Command> commands) {}

  /** A function call or a single operand, with its arguments. */
  record Command(int pos, List<Arg> args) {}

  /** One argument of a command. */
  sealed interface Arg {
    /** Offset in the template and the source text, for error messages. */
    int pos();
  }

  /** A string, number, boolean or nil constant. */
  record Literal(int pos, Object value, String text) implements Arg {}

  /** A function name. */
  record Identifier(int pos, String name) implements Arg {}

  /**
   * An operand followed by a field chain: {@code .A.B} (on dot), {@code $x.A}, {@code (pipe).A}.
   *
   * @param receiver what the chain starts from: null for dot
   * @param fields the field names, possibly empty
   * @param text the source text, for error messages
   */
  record Chain(int pos, Object receiver, List<String> fields, String text) implements Arg {}

  /** A variable reference as the receiver of a chain. */
  record Variable(String name) {}
}
