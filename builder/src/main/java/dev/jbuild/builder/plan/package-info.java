/**
 * The typed build plan, BuildKit's {@code dockerfile2llb} in Java: {@link
 * dev.jbuild.builder.plan.BuildPlanner} turns the parsed Dockerfile into an immutable {@link
 * dev.jbuild.builder.plan.BuildPlan} of stages whose {@link dev.jbuild.builder.plan.Step}s carry
 * everything execution needs (argv, environment, user, working directory, typed mounts, network,
 * history text, resulting config, the static cache-key text), every variable, ARG scope and
 * ONBUILD trigger already resolved. Planning reads base image configs through {@link
 * dev.jbuild.builder.plan.BaseConfigs} and nothing else: no files, no containers, so it is
 * testable without root ({@code plans/} goldens).
 */
package dev.jbuild.builder.plan;
