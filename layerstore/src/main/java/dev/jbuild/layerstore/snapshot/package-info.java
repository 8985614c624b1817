/** Unpacked layers as overlayfs lowerdirs, keyed by ChainID, plus scratch upper/work dirs. */
package dev.jbuild.layerstore.snapshot;
