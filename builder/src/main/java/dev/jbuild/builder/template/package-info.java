/**
 * Go {@code text/template}s for the {@code --format} flags of {@code inspect}, {@code images}
 * and {@code ps}: a parser and executor written from Go's documentation, and Go-shaped values
 * ({@link dev.jbuild.builder.template.GoValue}) so output prints as docker's does. Depends on
 * nothing else in jbuild.
 */
package dev.jbuild.builder.template;
