/** Making layers: overlay upperdir changesets and whole directory trees into stored blobs. */
package dev.jbuild.layerstore.diff;
