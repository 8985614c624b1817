package dev.jbuild.parser.internal;

import static dev.jbuild.parser.internal.ArgumentForms.command;
import static dev.jbuild.parser.internal.ArgumentForms.firstWord;

import dev.jbuild.parser.ast.CommandForm;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import dev.jbuild.parser.ast.ExecForm;
import dev.jbuild.parser.ast.GoStrings;
import dev.jbuild.parser.ast.Healthcheck;
import dev.jbuild.parser.ast.ShellForm;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The HEALTHCHECK argument form, split out of {@link InstructionBuilder} for size. */
final class HealthcheckForm {

  private HealthcheckForm() {}

  /**
   * BuildKit's parseHealthConfig (parser layer: the type word, then the command as JSON or text)
   * followed by instructions.parseHealthcheck (instruction layer: every check below).
   */
  static Healthcheck build(InstructionLine line) throws DockerfileSyntaxException {
    String rest = line.rest();
    if (rest.isEmpty()) {
      throw line.instructionError("HEALTHCHECK requires at least one argument");
    }
    String type = firstWord(rest);
    String args = rest.substring(Blanks.skip(rest, type.length()));
    String upper = type.toUpperCase(Locale.ROOT);
    CommandForm command = args.isEmpty() ? new ShellForm("") : command(line, args);
    List<String> nodeArgs = new ArrayList<>(List.of(type));
    if (command.isExecForm()) {
      nodeArgs.addAll(((ExecForm) command).args());
      line.json = true;
    } else if (!args.isEmpty()) {
      nodeArgs.add(args);
    }
    line.nodeArgs = nodeArgs;
    if (upper.equals("NONE")) {
      if (!args.isEmpty()) {
        throw line.instructionError("HEALTHCHECK NONE takes no arguments");
      }
      return new Healthcheck(line.range(), line.flags, null);
    }
    if (!upper.equals("CMD")) {
      throw line.instructionError(
          "Unknown type " + GoStrings.quote(upper) + " in HEALTHCHECK (try CMD)");
    }
    boolean empty =
        command.isExecForm()
            ? ((ExecForm) command).args().isEmpty()
            : ((ShellForm) command).command().isEmpty();
    if (empty) {
      throw line.instructionError("Missing command after HEALTHCHECK CMD");
    }
    Healthcheck healthcheck = new Healthcheck(line.range(), line.flags, command);
    try {
      healthcheck.intervalNanos();
      healthcheck.timeoutNanos();
      healthcheck.startPeriodNanos();
      healthcheck.startIntervalNanos();
      healthcheck.retries();
    } catch (IllegalArgumentException e) {
      throw line.instructionError(e.getMessage());
    }
    return healthcheck;
  }
}
