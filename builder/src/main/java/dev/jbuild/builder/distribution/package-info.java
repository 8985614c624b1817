/**
 * Moves images between the local store and registries: pulls base images into the store (blobs
 * verified while streaming, committed only when they match) and pushes stored images with their
 * exact manifest bytes. The only place where {@code layerstore} and {@code registry-client} meet.
 */
package dev.jbuild.builder.distribution;
