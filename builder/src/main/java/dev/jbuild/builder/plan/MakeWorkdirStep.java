package dev.jbuild.builder.plan;

/**
 * WORKDIR to a directory other than {@code /}: creates it (and its parents) owned by the stage's
 * USER, as BuildKit does. The header's config has the new working directory.
 *
 * @param header label, line, history ({@code WORKDIR /app}) and config
 * @param directory the absolute directory
 * @param user the stage's USER (may be empty), who owns the created directories
 * @param cacheKey the step's cache key text
 */
public record MakeWorkdirStep(StepHeader header, String directory, String user, String cacheKey)
    implements Step {}
