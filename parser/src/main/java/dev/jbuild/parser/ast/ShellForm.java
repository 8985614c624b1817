package dev.jbuild.parser.ast;

import java.util.Objects;

/**
 * The shell form of a command: the raw text after the instruction word and its flags, with
 * continuation lines joined. Neither the escape token nor quotes are processed; the shell does that
 * at run time.
 *
 * @param command the raw command text (may be empty)
 */
public record ShellForm(String command) implements CommandForm {

  /** Requires a non-null command. */
  public ShellForm {
    Objects.requireNonNull(command, "command");
  }

  @Override
  public boolean isExecForm() {
    return false;
  }
}
