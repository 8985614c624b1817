/**
 * The shared kernel of jbuild: content-addressing values ({@link dev.jbuild.layerstore.oci.Digest},
 * {@link dev.jbuild.layerstore.oci.Descriptor}, {@link dev.jbuild.layerstore.oci.ImageReference})
 * and the OCI/Docker image wire types (manifest, index, config).
 *
 * <p>This package depends on nothing else in jbuild, so {@code registry-client} and {@code builder}
 * can use it without depending on the store itself. All types are immutable.
 */
package dev.jbuild.layerstore.oci;
