package dev.jbuild.builder.exec;

import dev.jbuild.builder.fs.LayeredRootfs;
import dev.jbuild.layerstore.snapshot.Scratch;
import dev.jbuild.layerstore.snapshot.Snapshot;

/**
 * Where a filesystem step works: the snapshot of the layers below, a fresh upperdir and the
 * merged read-only view of the lower layers.
 *
 * @param snapshot the stacked lower directories
 * @param scratch the step's upperdir and workdir
 * @param lower the lower layers as overlayfs would merge them
 */
record Workspace(Snapshot snapshot, Scratch scratch, LayeredRootfs lower) {}
