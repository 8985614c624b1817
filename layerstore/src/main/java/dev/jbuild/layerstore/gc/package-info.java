/**
 * Store maintenance: {@link dev.jbuild.layerstore.gc.Pruner} (garbage collection from the tags,
 * the images and {@link dev.jbuild.layerstore.content.GcRoots}) and {@link
 * dev.jbuild.layerstore.gc.Verifier} (re-hash blobs, check snapshots and image records, repair).
 * Depends on the {@link dev.jbuild.layerstore.LayerStore} facade.
 */
package dev.jbuild.layerstore.gc;
