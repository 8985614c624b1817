/**
 * jbuild's local store: {@link dev.jbuild.layerstore.LayerStore} opens a root directory holding a
 * verified content-addressed {@link dev.jbuild.layerstore.ContentStore}, the overlay snapshots and
 * the images. Package dependencies: {@code oci}, {@code posix}, {@code fs} depend on nothing in the
 * store; {@code hash} and {@code tar} only on those; {@code diff}, {@code snapshot}, {@code image}
 * use the root package's {@code ContentStore}/{@code Layer}; {@code archive} uses {@code image}.
 * Known cycle (to fix by moving the facade into its own package): the {@code LayerStore} facade
 * in the root package refers to {@code snapshot} and {@code image}.
 */
package dev.jbuild.layerstore;
