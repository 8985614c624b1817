/**
 * Client for the OCI distribution API (docker-registry, Docker Hub, GHCR...).
 *
 * <p>{@link dev.jbuild.registry.RegistryClient} speaks the endpoints for one repository;
 * {@link dev.jbuild.registry.ImagePusher} and {@link dev.jbuild.registry.ImagePuller} move whole
 * images, using only the {@code dev.jbuild.layerstore.oci} value types (never the layer store
 * itself): local content comes in through {@link dev.jbuild.registry.BlobSource.Provider} and goes
 * out through {@link dev.jbuild.registry.BlobSink}.
 *
 * <p>Inside, Jib's layout: {@code RegistryClient} is a facade over one package-private class per
 * endpoint ({@code BlobChecker}, {@code BlobPuller}, {@code BlobPusher}, {@code BlobMounter},
 * {@code ManifestPuller}, {@code ManifestPusher}, {@code LoginChecker}: each a
 * {@code RegistryEndpoint}, but {@code BlobPusher} runs three), executed by {@code RegistryEndpointCaller} (authorization, one resend
 * after a challenge, retries per {@link dev.jbuild.registry.RetryPolicy}); failures are mapped by
 * {@code ResponseFailures} and worded by {@code RegistryErrorExceptionBuilder}. They stay in this
 * package because they throw its public exceptions and read its {@code BlobSource}: a
 * {@code registry.endpoint} package would form a cycle with it.
 *
 * <p>Package dependencies (acyclic): {@code registry → registry.auth → registry.http};
 * {@code registry → registry.json}. Only {@code registry.http} imports google-http-client.
 */
package dev.jbuild.registry;
