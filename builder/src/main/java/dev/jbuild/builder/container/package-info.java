/**
 * Containers made from images, outside any build ({@code jbuild run}, {@code ps}, {@code rm},
 * {@code commit}): the store of kept containers and their read-write layers ({@link
 * dev.jbuild.builder.container.ContainerStore}), how a container runs from an image's config and
 * docker run's options ({@link dev.jbuild.builder.container.ContainerLaunch}), and committing one
 * into an image ({@link dev.jbuild.builder.container.ContainerCommitter}). Depends on layerstore
 * and runner only; the CLI parses flags and prints.
 */
package dev.jbuild.builder.container;
