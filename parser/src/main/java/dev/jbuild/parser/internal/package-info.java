/**
 * The parse pipeline behind {@link dev.jbuild.parser.DockerfileParser} (lines, directives,
 * instructions, lints) and the ANTLR-facing glue. Not API. Produces {@code ast} types and depends
 * on nothing else in the parser besides the generated {@code grammar} package.
 */
package dev.jbuild.parser.internal;
