package dev.jbuild.layerstore.snapshot;

import dev.jbuild.layerstore.fs.Trees;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A fresh, empty overlayfs upperdir and workdir on the snapshots' file system (overlayfs requires
 * work and upper on the same file system). Closing deletes both, including root-owned and
 * unwritable content a build left behind; unmount first.
 *
 * @param upperDir the empty upperdir
 * @param workDir the empty workdir
 */
public record Scratch(Path upperDir, Path workDir) implements AutoCloseable {
  /** Deletes the scratch directories. */
  @Override
  public void close() throws IOException {
    try {
      Trees.deleteRecursively(upperDir.getParent());
    } finally {
      ScratchLocks.release(upperDir.getParent());
    }
  }
}
