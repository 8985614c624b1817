/** Exporting images as archives (Docker combined format) and importing root filesystems. */
package dev.jbuild.layerstore.archive;
