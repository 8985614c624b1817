package dev.jbuild.builder.plan;

/**
 * A step that changes only the image config (ENV, LABEL, CMD, USER, ARG, ONBUILD, …, and WORKDIR
 * {@code /}): its header has the config after it and the history text.
 *
 * @param header label, line, history and config
 */
public record ChangeConfigStep(StepHeader header) implements Step {}
