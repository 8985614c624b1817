/**
 * Build outputs besides the store ({@code jbuild build -o type=…,dest=…}): Docker and OCI
 * archives, and the image's root filesystem as a directory or a tar.
 */
package dev.jbuild.builder.export;
