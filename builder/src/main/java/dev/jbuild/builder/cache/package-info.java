/**
 * The build cache: what a filesystem step produced, keyed by what it depends on. Keys are
 * content-based (the ChainID of the layers below plus the step's canonical inputs), so a step
 * hits again after an earlier step was rebuilt to the same content.
 */
package dev.jbuild.builder.cache;
