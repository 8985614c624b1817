/**
 * The build's user-facing failures ({@link dev.jbuild.builder.error.BuildException}, {@link
 * dev.jbuild.builder.error.StepFailedException}). A leaf: every builder package may throw them, and
 * they depend on nothing, so throwing one never ties a package to the library entry point.
 */
package dev.jbuild.builder.error;
