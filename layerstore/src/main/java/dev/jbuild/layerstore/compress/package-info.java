/**
 * Layer compression: {@link dev.jbuild.layerstore.compress.ParallelGzipOutputStream} (pigz-style
 * gzip on all cores), zstd through zstd-jni, and {@link
 * dev.jbuild.layerstore.compress.Compression} to choose between them. Depends on nothing else in
 * the store.
 */
package dev.jbuild.layerstore.compress;
