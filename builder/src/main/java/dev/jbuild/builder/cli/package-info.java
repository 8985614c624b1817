/**
 * The {@code jbuild} command line (picocli): {@code docker build}-compatible flags, one class per
 * subcommand, one-line errors (stack traces only with {@code --debug}) and exit codes scripts can
 * trust: 0 success, 1 failure, 2 usage error, a container's own code for {@code run}.
 */
package dev.jbuild.builder.cli;
