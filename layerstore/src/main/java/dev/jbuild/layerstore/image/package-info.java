/** Stored images (manifest and config blobs) and the tag database. */
package dev.jbuild.layerstore.image;
