/**
 * Executes a {@link dev.jbuild.builder.plan.BuildPlan}: resolves base images, runs RUN steps in
 * containers, writes COPY/ADD/WORKDIR changes into overlay upperdirs, diffs every upperdir into a
 * layer and assembles the image config and history the way BuildKit does.
 */
package dev.jbuild.builder.exec;
