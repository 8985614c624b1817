package dev.jbuild.layerstore.snapshot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The read-only layers of a root filesystem, ready to be overlayfs lowerdirs. Directory names are
 * short and relative to {@link #layersRoot()}, so a runner can {@code chdir(layersRoot)} and pass
 * {@code lowerdir=7:3:1} to stay far below the one-page mount-data limit (runner.md §5). The
 * directories are shared and must never be written.
 *
 * @param layersRoot the directory the names are relative to
 * @param lowerDirsTopFirst lowerdir names, top layer first; never empty (an image without layers
 *     gets one empty directory, since overlayfs needs a lowerdir)
 */
public record Snapshot(Path layersRoot, List<String> lowerDirsTopFirst) {
  /** Validates and copies. */
  public Snapshot {
    Objects.requireNonNull(layersRoot, "layersRoot");
    lowerDirsTopFirst = List.copyOf(lowerDirsTopFirst);
  }

  /** The lowerdirs as absolute paths, top first. */
  public List<Path> absoluteLowerDirsTopFirst() {
    List<Path> paths = new ArrayList<>();
    for (String dir : lowerDirsTopFirst) {
      paths.add(layersRoot.resolve(dir));
    }
    return paths;
  }

  /** {@code lowerdir=} value with relative names, for a mount done from {@link #layersRoot()}. */
  public String relativeLowerDirOption() {
    return String.join(":", lowerDirsTopFirst);
  }
}
