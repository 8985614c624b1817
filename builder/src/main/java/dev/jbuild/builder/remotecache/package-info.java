/**
 * Build caches outside the store ({@code --cache-from}, {@code --cache-to}): the jbuild cache
 * artifact ({@code builder.cache.CacheConfig}) in a registry, in an OCI layout directory, or inline
 * in an image's config. Imports read only manifests and configs; layer blobs are fetched, with
 * their digests verified, only when a step needs them.
 */
package dev.jbuild.builder.remotecache;
