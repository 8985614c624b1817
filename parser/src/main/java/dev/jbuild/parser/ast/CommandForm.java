package dev.jbuild.parser.ast;

/**
 * The command of RUN, CMD, ENTRYPOINT or HEALTHCHECK CMD: either the shell form (one string run by
 * the stage's SHELL) or the exec form (a JSON array of strings).
 */
public sealed interface CommandForm permits ShellForm, ExecForm {

  /** Returns whether this is the exec (JSON) form. */
  boolean isExecForm();
}
