package dev.jbuild.parser.ast;

/**
 * Dispatch over the closed set of {@link Instruction} types (switch pattern matching is a preview
 * feature in Java 17). Adding an instruction type adds a method here, so every visitor is forced to
 * handle it.
 *
 * @param <R> result type
 */
public interface InstructionVisitor<R> {

  /**
   * Visits a {@link From}.
   *
   * @param instruction the instruction
   * @return the result
   */
  R visitFrom(From instruction);

  /**
   * Visits a {@link Run}.
   *
   * @param instruction the instruction
   * @return the result
   */
  R visitRun(Run instruction);

  /**
   * Visits a {@link Cmd}.
   *
   * @param instruction the instruction
   * @return the result
   */
  R visitCmd(Cmd instruction);

  /**
   * Visits a {@link Entrypoint}.
   *
   * @param instruction the instruction
   * @return the result
   */
  R visitEntrypoint(Entrypoint instruction);

  /**
   * Visits a {@link Shell}.
   *
   * @param instruction the instruction
   * @return the result
   */
  R visitShell(Shell instruction);

  /**
   * Visits a {@link Copy}.
   *
   * @param instruction the instruction
   * @return the result
   */
  R visitCopy(Copy instruction);

  /**
   * Visits a {@link Add}.
   *
   * @param instruction the instruction
   * @return the result
   */
  R visitAdd(Add instruction);

  /**
   * Visits a {@link Env}.
   *
   * @param instruction the instruction
   * @return the result
   */
  R visitEnv(Env instruction);

  /**
   * Visits a {@link Label}.
   *
   * @param instruction the instruction
   * @return the result
   */
  R visitLabel(Label instruction);

  /**
   * Visits a {@link Arg}.
   *
   * @param instruction the instruction
   * @return the result
   */
  R visitArg(Arg instruction);

  /**
   * Visits a {@link Workdir}.
   *
   * @param instruction the instruction
   * @return the result
   */
  R visitWorkdir(Workdir instruction);

  /**
   * Visits a {@link User}.
   *
   * @param instruction the instruction
   * @return the result
   */
  R visitUser(User instruction);

  /**
   * Visits a {@link Expose}.
   *
   * @param instruction the instruction
   * @return the result
   */
  R visitExpose(Expose instruction);

  /**
   * Visits a {@link Volume}.
   *
   * @param instruction the instruction
   * @return the result
   */
  R visitVolume(Volume instruction);

  /**
   * Visits a {@link StopSignal}.
   *
   * @param instruction the instruction
   * @return the result
   */
  R visitStopSignal(StopSignal instruction);

  /**
   * Visits a {@link Healthcheck}.
   *
   * @param instruction the instruction
   * @return the result
   */
  R visitHealthcheck(Healthcheck instruction);

  /**
   * Visits a {@link Onbuild}.
   *
   * @param instruction the instruction
   * @return the result
   */
  R visitOnbuild(Onbuild instruction);

  /**
   * Visits a {@link Maintainer}.
   *
   * @param instruction the instruction
   * @return the result
   */
  R visitMaintainer(Maintainer instruction);
}
