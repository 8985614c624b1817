/**
 * The {@code .dockerignore} matcher ({@link dev.jbuild.parser.ignore.DockerIgnore}): which context
 * paths a build leaves out, with BuildKit's (moby/patternmatcher) pattern syntax, cleaning rules,
 * last-match-wins exceptions and {@code <Dockerfile>.dockerignore} precedence.
 */
package dev.jbuild.parser.ignore;
