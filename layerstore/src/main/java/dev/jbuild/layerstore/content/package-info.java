/**
 * The content store: verified, content-addressed blobs ({@link
 * dev.jbuild.layerstore.content.ContentStore}, {@link dev.jbuild.layerstore.content.BlobWriter}),
 * what is known about layer blobs ({@link dev.jbuild.layerstore.content.Layer}, {@link
 * dev.jbuild.layerstore.content.LayerInfo}) and the named roots that keep blobs from garbage
 * collection ({@link dev.jbuild.layerstore.content.GcRoots}). The snapshot, image and diff
 * packages build on it; it depends only on {@code fs}, {@code hash} and {@code oci}.
 */
package dev.jbuild.layerstore.content;
