/**
 * jbuild's local store: the {@link dev.jbuild.layerstore.LayerStore} facade opens a root
 * directory holding a verified content-addressed {@link
 * dev.jbuild.layerstore.content.ContentStore}, the overlay snapshots and the images.
 *
 * <p>Package dependencies (checked by the architecture test against {@code
 * docs/ARCHITECTURE.md}): {@code oci}, {@code posix}, {@code fs} depend on nothing in the store;
 * {@code overlay} (the overlay format's one owner) only on {@code posix}; {@code hash} only on
 * {@code oci}; {@code compress} on {@code oci}; {@code tar} on those;
 * {@code content} (blobs, {@code Layer}, {@code LayerInfo}, GC roots) on {@code fs}, {@code hash},
 * {@code oci}; {@code diff}, {@code snapshot} and {@code image} on {@code content} and below. This
 * root package is the only one that ties the sub-stores together; {@code gc} and {@code archive}
 * work on a whole store and so depend on it, and nothing it uses depends back on it.
 */
package dev.jbuild.layerstore;
