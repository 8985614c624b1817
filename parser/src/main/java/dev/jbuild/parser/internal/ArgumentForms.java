package dev.jbuild.parser.internal;

import dev.jbuild.parser.ast.CommandForm;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import dev.jbuild.parser.ast.ExecForm;
import dev.jbuild.parser.ast.GoStrings;
import dev.jbuild.parser.ast.KeyValue;
import dev.jbuild.parser.ast.ShellForm;
import java.util.ArrayList;
import java.util.List;

/**
 * The argument forms that several instructions share (BuildKit's parser/line_parsers.go): one
 * word, at least one word, JSON-or-shell commands, {@code key=value} lists. Each records the
 * parser-layer view on the {@link InstructionLine} and fails with BuildKit's wording.
 */
final class ArgumentForms {

  private ArgumentForms() {}

  static String exactlyOne(InstructionLine line) throws DockerfileSyntaxException {
    if (line.rest().isEmpty()) {
      throw line.instructionError(line.keyword + " requires exactly one argument");
    }
    line.nodeArgs = List.of(line.rest());
    return line.rest();
  }

  static List<String> atLeastOne(InstructionLine line, List<String> values)
      throws DockerfileSyntaxException {
    if (values.isEmpty()) {
      throw line.instructionError(line.keyword + " requires at least one argument");
    }
    return values;
  }

  /** Records the parser-layer view of a RUN/CMD/ENTRYPOINT command and returns it unchanged. */
  static CommandForm nodeCommand(InstructionLine line, CommandForm command) {
    if (command.isExecForm()) {
      line.json = true;
      line.nodeArgs = ((ExecForm) command).args();
    } else {
      String text = ((ShellForm) command).command();
      line.nodeArgs = text.isEmpty() ? List.of() : List.of(text);
    }
    return command;
  }

  /** BuildKit's parseMaybeJSON: exec form if valid JSON, else the raw text as shell form. */
  static CommandForm command(InstructionLine line, String text) throws DockerfileSyntaxException {
    List<String> json = json(line, text);
    return json != null ? new ExecForm(json) : new ShellForm(text);
  }

  static List<String> json(InstructionLine line, String text) throws DockerfileSyntaxException {
    try {
      return JsonArrays.parse(text);
    } catch (JsonArrays.NotStringArrayException e) {
      throw line.error(JsonArrays.NOT_STRING_ARRAY);
    }
  }

  static void setPairArgs(InstructionLine line, List<KeyValue> pairs, boolean legacy) {
    List<String> args = new ArrayList<>();
    for (KeyValue pair : pairs) {
      args.add(pair.key());
      args.add(pair.value());
    }
    line.nodeArgs = args;
    line.legacyForm = legacy;
  }

  /**
   * BuildKit's parseNameVal: if the first word has no {@code =} the line is the legacy {@code KEY
   * rest-of-line} form, otherwise every word must be {@code key=value}.
   *
   * @return whether the legacy form was used
   */
  static boolean nameValues(InstructionLine line, List<KeyValue> pairs)
      throws DockerfileSyntaxException {
    List<LineSyntax.Token> words = line.syntax.arguments();
    if (words.isEmpty()) {
      throw line.instructionError(line.keyword + " requires at least one argument");
    }
    if (!words.get(0).text().contains("=")) {
      String rest = line.rest();
      int keyEnd = 0;
      while (keyEnd < rest.length() && !Blanks.isBlank(rest.charAt(keyEnd))) {
        keyEnd++;
      }
      int valueStart = Blanks.skip(rest, keyEnd);
      if (valueStart >= rest.length()) {
        throw line.error(line.keyword + " must have two arguments");
      }
      pairs.add(new KeyValue(rest.substring(0, keyEnd), rest.substring(valueStart)));
      return true;
    }
    for (LineSyntax.Token word : words) {
      int eq = word.text().indexOf('=');
      if (eq < 0) {
        throw line.errorAt(
            word,
            "Syntax error - can't find = in "
                + GoStrings.quote(word.text())
                + ". Must be of the form: name=value");
      }
      if (eq == 0) {
        throw line.errorAt(word, line.keyword + " names can not be blank");
      }
      pairs.add(new KeyValue(word.text().substring(0, eq), word.text().substring(eq + 1)));
    }
    return false;
  }

  static String firstWord(String text) {
    int end = 0;
    while (end < text.length() && !Blanks.isBlank(text.charAt(end))) {
      end++;
    }
    return text.substring(0, end);
  }
}
