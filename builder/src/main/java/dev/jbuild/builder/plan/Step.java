package dev.jbuild.builder.plan;

/**
 * One planned step of a stage, everything expanded: execution prepares snapshots, runs, copies
 * and diffs, and never reads the Dockerfile's syntax again. Filesystem steps ({@link
 * RunCommandStep}, {@link CopyFilesStep}, {@link MakeWorkdirStep}) carry the static text of their
 * build-cache key; execution adds what only the files can tell (content checksums, downloads).
 */
public sealed interface Step
    permits FromBaseStep, RunCommandStep, CopyFilesStep, MakeWorkdirStep, ChangeConfigStep {
  /** The label, line, history text and resulting config. */
  StepHeader header();
}
