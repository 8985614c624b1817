/**
 * Client for the OCI distribution API (docker-registry, Docker Hub, GHCR...).
 *
 * <p>{@link dev.jbuild.registry.RegistryClient} speaks the endpoints for one repository;
 * {@link dev.jbuild.registry.ImagePusher} and {@link dev.jbuild.registry.ImagePuller} move whole
 * images, using only the {@code dev.jbuild.layerstore.oci} value types (never the layer store
 * itself): local content comes in through {@link dev.jbuild.registry.BlobSource.Provider} and goes
 * out through {@link dev.jbuild.registry.BlobSink}.
 *
 * <p>Package dependencies (acyclic): {@code registry → registry.auth → registry.http};
 * {@code registry → registry.json}. Only {@code registry.http} imports google-http-client.
 */
package dev.jbuild.registry;
