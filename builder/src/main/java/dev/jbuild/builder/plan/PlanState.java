package dev.jbuild.builder.plan;

import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.parser.ast.CommandForm;
import dev.jbuild.parser.ast.ExecForm;
import dev.jbuild.parser.ast.ShellForm;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the planner knows of a stage after each instruction: the container config, the author, the
 * ARGs in scope and whether CMD was set in this stage (ENTRYPOINT resets an inherited CMD only).
 * Confined to the planning thread.
 */
final class PlanState {
  ContainerConfig config;
  String author;
  final Map<String, String> args = new LinkedHashMap<>();
  /** Declared ARG names in order, repeated when declared again (BuildKit's buildArgs). */
  final List<String> declaredArgs = new ArrayList<>();
  boolean cmdSetInStage;
  /**
   * While an instruction is planned for the UndefinedVar lint: the names its expansions looked up
   * and did not find; else null.
   */
  Set<String> unmatched;

  PlanState(ContainerConfig config, String author, Map<String, String> inheritedArgs) {
    reset(config, author, inheritedArgs);
  }

  /** Starts the stage over from a base: its config, author and the ARG values it passes on. */
  void reset(ContainerConfig base, String baseAuthor, Map<String, String> inheritedArgs) {
    config = base;
    author = baseAuthor;
    args.clear();
    args.putAll(inheritedArgs);
    declaredArgs.clear();
    cmdSetInStage = false;
  }

  /**
   * Variables visible to expansion: ARGs, then ENV (ENV wins over ARG of the same name, as in
   * BuildKit).
   */
  Map<String, String> expansionVars() {
    Map<String, String> vars = new LinkedHashMap<>(args);
    vars.putAll(config.envMap());
    return unmatched == null ? vars : new RecordingVars(vars, new HashSet<>(), unmatched);
  }

  /** The working directory, {@code /} when unset. */
  String workingDir() {
    String wd = config.workingDir();
    return wd == null || wd.isEmpty() ? "/" : wd;
  }

  /** The user, empty when unset. */
  String user() {
    return config.user() == null ? "" : config.user();
  }

  /** The argv of a CMD/ENTRYPOINT/RUN: exec form as is, shell form through the stage's SHELL. */
  List<String> command(CommandForm form) {
    if (form instanceof ExecForm exec) {
      return exec.args();
    }
    List<String> argv = new ArrayList<>(shell());
    argv.add(((ShellForm) form).command());
    return argv;
  }

  /** The shell for shell-form commands. */
  List<String> shell() {
    List<String> shell = config.shell();
    return shell == null || shell.isEmpty() ? List.of("/bin/sh", "-c") : shell;
  }

  /** The header of a step that leaves the stage in this state. */
  StepHeader header(StepLabel label, String createdBy) {
    return new StepHeader(label.text(), label.numbered(), label.line(), createdBy, config,
        author);
  }

  /** A step's label and the line its errors name. */
  record StepLabel(String text, boolean numbered, int line) {}
}
