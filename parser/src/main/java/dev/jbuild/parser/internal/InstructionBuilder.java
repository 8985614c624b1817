package dev.jbuild.parser.internal;

import static dev.jbuild.parser.internal.ArgumentForms.atLeastOne;
import static dev.jbuild.parser.internal.ArgumentForms.command;
import static dev.jbuild.parser.internal.ArgumentForms.exactlyOne;
import static dev.jbuild.parser.internal.ArgumentForms.firstWord;
import static dev.jbuild.parser.internal.ArgumentForms.json;
import static dev.jbuild.parser.internal.ArgumentForms.nameValues;
import static dev.jbuild.parser.internal.ArgumentForms.nodeCommand;
import static dev.jbuild.parser.internal.ArgumentForms.setPairArgs;

import dev.jbuild.parser.ast.Add;
import dev.jbuild.parser.ast.Arg;
import dev.jbuild.parser.ast.ArgDecl;
import dev.jbuild.parser.ast.Cmd;
import dev.jbuild.parser.ast.CommandForm;
import dev.jbuild.parser.ast.Copy;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import dev.jbuild.parser.ast.Entrypoint;
import dev.jbuild.parser.ast.Env;
import dev.jbuild.parser.ast.Expose;
import dev.jbuild.parser.ast.Flag;
import dev.jbuild.parser.ast.From;
import dev.jbuild.parser.ast.GoStrings;
import dev.jbuild.parser.ast.Heredoc;
import dev.jbuild.parser.ast.Instruction;
import dev.jbuild.parser.ast.KeyValue;
import dev.jbuild.parser.ast.Label;
import dev.jbuild.parser.ast.Maintainer;
import dev.jbuild.parser.ast.Onbuild;
import dev.jbuild.parser.ast.Run;
import dev.jbuild.parser.ast.Shell;
import dev.jbuild.parser.ast.StopSignal;
import dev.jbuild.parser.ast.SyntaxNode;
import dev.jbuild.parser.ast.User;
import dev.jbuild.parser.ast.Volume;
import dev.jbuild.parser.ast.Workdir;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns one logical line into a typed {@link Instruction}: the instruction-specific argument forms
 * of BuildKit's parser/line_parsers.go plus the argument-count and flag checks of its
 * instructions/parse.go, with BuildKit's error wording. Reads heredoc bodies through the {@link
 * LineJoiner} when the instruction can have them.
 */
final class InstructionBuilder {

  /** All instruction keywords, for the unknown-instruction check and its suggestion. */
  static final List<String> KEYWORDS =
      List.of(
          "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
          "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME",
          "WORKDIR");

  // instructions/parse.go validStageName, applied to the lower-cased name.
  private static final Pattern STAGE_NAME = Pattern.compile("^[a-z][a-z0-9-_.]*$");

  private final String fileName;
  private final char escape;
  private final HeredocReader heredocReader;
  private final boolean syntaxOnly;

  /**
   * @param syntaxOnly true for BuildKit's parser layer only ({@code jbuild parse}): instruction-layer
   *     errors ({@link InstructionLayerError}) are dropped and the line gives a node without a typed
   *     instruction; false for the build path, where they are thrown
   */
  InstructionBuilder(String fileName, char escape, LineJoiner joiner, boolean syntaxOnly) {
    this.fileName = fileName;
    this.escape = escape;
    this.heredocReader = new HeredocReader(joiner);
    this.syntaxOnly = syntaxOnly;
  }

  /**
   * An instruction with its BuildKit parser-layer view.
   *
   * @param instruction the typed instruction; {@code null} on the syntax-only path when the line
   *     has an instruction-layer error
   * @param node the syntax node
   * @param rawKeyword the instruction word as written (for casing lints)
   */
  record Built(Instruction instruction, SyntaxNode node, String rawKeyword) {}

  /**
   * Builds the instruction of a logical line.
   *
   * @throws DockerfileSyntaxException with BuildKit's message when the line is not a valid
   *     instruction
   */
  Built build(LogicalLine source) throws DockerfileSyntaxException {
    return build(source, 0);
  }

  private Built build(LogicalLine source, int offset) throws DockerfileSyntaxException {
    String text = source.text().substring(offset);
    LineSyntax syntax;
    try {
      syntax = LineSyntaxBuilder.parse(text, escape);
    } catch (SyntaxError e) {
      int at = offset + e.charPositionInLine();
      throw new DockerfileSyntaxException(
          fileName, source.range(at, at + 1), "syntax error: " + e.getMessage());
    }
    String keyword = syntax.keyword().text().toUpperCase(Locale.ROOT);
    if (!KEYWORDS.contains(keyword)) {
      throw new DockerfileSyntaxException(
          fileName,
          source.range(offset + syntax.keyword().start(), offset + syntax.keyword().end()),
          Suggestions.withSuggestion(
              "unknown instruction: " + keyword, Suggestions.closest(keyword, KEYWORDS, false)));
    }
    List<Flag> flags = new ArrayList<>();
    for (LineSyntax.Token token : syntax.flags()) {
      flags.add(toFlag(source, offset, token));
    }
    InstructionLine line =
        new InstructionLine(fileName, source, offset, syntax, keyword, List.copyOf(flags));
    // Flag names and values are checked by BuildKit's instruction layer (BFlags), not its parser.
    if (!syntaxOnly && !flagsIgnored(line)) {
      try {
        FlagRules.check(keyword, line.flags);
      } catch (FlagRules.FlagException e) {
        throw line.errorAt(syntax.flags().get(e.index()), e.getMessage());
      }
    }
    Instruction instruction;
    try {
      instruction = dispatch(line);
    } catch (InstructionLayerError e) {
      if (!syntaxOnly) {
        throw e.error;
      }
      instruction = null;
    }
    List<String> flagWords = new ArrayList<>();
    for (Flag flag : line.flags) {
      flagWords.add(flag.toString());
    }
    SyntaxNode node =
        new SyntaxNode(
            keyword.toLowerCase(Locale.ROOT),
            flagWords,
            line.nodeArgs,
            line.json,
            line.legacyForm,
            instruction == null ? line.range() : instruction.range(),
            line.heredocs,
            line.trigger == null ? null : line.trigger.node(),
            offset == 0 ? source.comments() : List.of());
    return new Built(instruction, node, syntax.keyword().text());
  }

  // BuildKit quirk: STOPSIGNAL and HEALTHCHECK NONE never parse their flags.
  private static boolean flagsIgnored(InstructionLine line) {
    if (line.keyword.equals("STOPSIGNAL")) {
      return true;
    }
    return line.keyword.equals("HEALTHCHECK")
        && firstWord(line.rest()).toUpperCase(Locale.ROOT).equals("NONE");
  }

  private Instruction dispatch(InstructionLine line) throws DockerfileSyntaxException {
    switch (line.keyword) {
      case "FROM":
        return from(line);
      case "RUN":
        return run(line);
      case "CMD":
        return new Cmd(line.range(), line.flags, nodeCommand(line, command(line, line.rest())));
      case "ENTRYPOINT":
        return new Entrypoint(
            line.range(), line.flags, nodeCommand(line, command(line, line.rest())));
      case "SHELL":
        return shell(line);
      case "COPY":
      case "ADD":
        return copyOrAdd(line);
      case "ENV":
        return env(line);
      case "LABEL":
        return label(line);
      case "ARG":
        return arg(line);
      case "WORKDIR":
        return new Workdir(line.range(), line.flags, exactlyOne(line));
      case "USER":
        return new User(line.range(), line.flags, exactlyOne(line));
      case "MAINTAINER":
        return new Maintainer(line.range(), line.flags, exactlyOne(line));
      case "STOPSIGNAL":
        return new StopSignal(line.range(), line.flags, exactlyOne(line));
      case "EXPOSE":
        line.nodeArgs = Words.splitOnBlanks(line.rest());
        return new Expose(line.range(), line.flags, atLeastOne(line, line.nodeArgs));
      case "VOLUME":
        return volume(line);
      case "HEALTHCHECK":
        return HealthcheckForm.build(line);
      case "ONBUILD":
        return onbuild(line);
      default:
        throw new IllegalStateException("keyword without builder: " + line.keyword);
    }
  }

  private From from(InstructionLine line) throws DockerfileSyntaxException {
    List<String> args = Words.splitOnBlanks(line.rest());
    line.nodeArgs = args;
    String stageName = null;
    if (args.size() == 3 && args.get(1).equalsIgnoreCase("as")) {
      stageName = args.get(2).toLowerCase(Locale.ROOT);
      if (!STAGE_NAME.matcher(stageName).matches()) {
        throw line.instructionError(
            "invalid name for build stage: "
                + GoStrings.quote(args.get(2))
                + ", name can't start with a number or contain symbols");
      }
    } else if (args.size() != 1) {
      throw line.instructionError("FROM requires either one or three arguments");
    }
    return new From(line.range(), line.flags, args.get(0), stageName);
  }

  private Run run(InstructionLine line) throws DockerfileSyntaxException {
    if (line.rest().isEmpty()) {
      throw line.instructionError("RUN requires at least one argument");
    }
    CommandForm command = nodeCommand(line, command(line, line.rest()));
    List<Heredoc> heredocs = command.isExecForm() ? List.of() : heredocReader.read(line);
    line.heredocs = heredocs;
    return new Run(line.range(), line.flags, command, heredocs);
  }

  private Shell shell(InstructionLine line) throws DockerfileSyntaxException {
    if (line.rest().isEmpty()) {
      throw line.instructionError("SHELL requires at least one argument");
    }
    List<String> json = json(line, line.rest());
    if (json == null) {
      line.nodeArgs = List.of(line.rest());
      throw line.instructionError("SHELL requires the arguments to be in JSON form");
    }
    if (json.isEmpty()) {
      line.json = true;
      throw line.instructionError("SHELL requires at least one argument");
    }
    line.json = true;
    line.nodeArgs = json;
    return new Shell(line.range(), line.flags, json);
  }

  private Instruction copyOrAdd(InstructionLine line) throws DockerfileSyntaxException {
    List<String> json = json(line, line.rest());
    List<String> args =
        json != null ? json : HeredocReader.joinMarkers(Words.splitOnBlanks(line.rest()));
    List<Heredoc> heredocs = json != null ? List.of() : heredocReader.read(line);
    line.json = json != null;
    line.nodeArgs = args;
    line.heredocs = heredocs;
    if (args.size() < 2) {
      throw line.instructionError(
          line.keyword
              + " requires at least two arguments, but only one was provided. Destination could"
              + " not be determined");
    }
    String destination = args.get(args.size() - 1);
    if (json == null && HeredocReader.HEREDOC.matcher(destination).matches()) {
      throw line.instructionError(line.keyword + " cannot accept a heredoc as a destination");
    }
    List<String> sources = args.subList(0, args.size() - 1);
    if (line.keyword.equals("COPY")) {
      return new Copy(line.range(), line.flags, sources, destination, heredocs);
    }
    return new Add(line.range(), line.flags, sources, destination, heredocs);
  }

  private Env env(InstructionLine line) throws DockerfileSyntaxException {
    List<KeyValue> pairs = new ArrayList<>();
    boolean legacy = nameValues(line, pairs);
    setPairArgs(line, pairs, legacy);
    return new Env(line.range(), line.flags, pairs, legacy);
  }

  private Label label(InstructionLine line) throws DockerfileSyntaxException {
    List<KeyValue> pairs = new ArrayList<>();
    boolean legacy = nameValues(line, pairs);
    setPairArgs(line, pairs, legacy);
    return new Label(line.range(), line.flags, pairs, legacy);
  }

  private Arg arg(InstructionLine line) throws DockerfileSyntaxException {
    List<LineSyntax.Token> words = line.syntax.arguments();
    if (words.isEmpty()) {
      throw line.instructionError("ARG requires at least one argument");
    }
    List<ArgDecl> args = new ArrayList<>();
    List<String> raw = new ArrayList<>();
    for (LineSyntax.Token word : words) {
      raw.add(word.text());
    }
    line.nodeArgs = raw;
    for (LineSyntax.Token word : words) {
      int eq = word.text().indexOf('=');
      String name = eq < 0 ? word.text() : word.text().substring(0, eq);
      if (name.isEmpty()) {
        throw line.instructionErrorAt(word, "ARG names can not be blank");
      }
      args.add(new ArgDecl(name, eq < 0 ? null : word.text().substring(eq + 1)));
    }
    return new Arg(line.range(), line.flags, args);
  }

  private Volume volume(InstructionLine line) throws DockerfileSyntaxException {
    List<String> json = json(line, line.rest());
    line.json = json != null;
    line.nodeArgs = json != null ? json : Words.splitOnBlanks(line.rest());
    List<String> paths = atLeastOne(line, line.nodeArgs);
    for (String path : paths) {
      if (Blanks.trim(path).isEmpty()) {
        throw line.instructionError("VOLUME specified can not be an empty string");
      }
    }
    return new Volume(line.range(), line.flags, paths);
  }

  private Onbuild onbuild(InstructionLine line) throws DockerfileSyntaxException {
    if (line.syntax.arguments().isEmpty()) {
      throw line.instructionError("ONBUILD requires at least one argument");
    }
    String trigger = line.syntax.arguments().get(0).text().toUpperCase(Locale.ROOT);
    String refused = null;
    if (trigger.equals("ONBUILD")) {
      refused = "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed";
    } else if (trigger.equals("FROM") || trigger.equals("MAINTAINER")) {
      refused = trigger + " isn't allowed as an ONBUILD trigger";
    }
    if (refused != null && !syntaxOnly) {
      throw line.instructionError(refused);
    }
    // The parser layer parses the trigger as a sub-command whatever it is.
    Built built = build(line.source, line.offset + line.syntax.restStart());
    line.trigger = built;
    Instruction nested = built.instruction();
    if (refused != null || nested == null) {
      throw line.instructionError(refused != null ? refused : "invalid ONBUILD trigger");
    }
    // BuildKit stores the trigger as written, with heredoc bodies and terminators appended.
    StringBuilder text = new StringBuilder(line.rest());
    for (Heredoc heredoc : HeredocReader.heredocsOf(nested)) {
      text.append('\n').append(heredoc.content()).append(heredoc.name());
    }
    return new Onbuild(line.range(), line.flags, nested, text.toString());
  }

  private Flag toFlag(LogicalLine source, int offset, LineSyntax.Token token)
      throws DockerfileSyntaxException {
    String word;
    try {
      word = Words.unquote(token.text().substring(2), escape);
    } catch (IllegalArgumentException e) {
      throw new DockerfileSyntaxException(
          fileName, source.range(offset + token.start(), offset + token.end()), e.getMessage());
    }
    int eq = word.indexOf('=');
    String name = eq < 0 ? word : word.substring(0, eq);
    if (name.isEmpty()) {
      throw new DockerfileSyntaxException(
          fileName, source.range(offset + token.start(), offset + token.end()),
          "unknown flag: --" + name);
    }
    return new Flag(name, eq < 0 ? null : word.substring(eq + 1));
  }

}
