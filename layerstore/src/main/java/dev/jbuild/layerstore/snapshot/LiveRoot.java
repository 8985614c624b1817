package dev.jbuild.layerstore.snapshot;

import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.diff.TreeSnapshot;
import dev.jbuild.layerstore.fs.FileNames;
import dev.jbuild.layerstore.fs.ExcludedPaths;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.tar.SafeTarExtractor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A root filesystem materialized in place, for the isolation mode that cannot mount anything
 * (root in an unprivileged container: jbuild runs RUN steps in its own root directory, as Kaniko
 * does). The directory holds the layers of one chain at a time: {@link #materialize} applies the
 * missing layers on top when the chain only grew, and otherwise wipes the directory and applies
 * the whole chain. A step's changes are then found by {@link TreeSnapshot} and {@code
 * WalkingDiffer}, never by hashing.
 *
 * <p>The kept subtrees belong to the host ({@code /proc}, {@code /sys}, {@code /dev}, jbuild's
 * own directory, bind-mounted {@code /etc/hosts}): they are never wiped, written or diffed.
 *
 * <p>There is one root, so steps that use it run one at a time: callers hold {@link #lock()} from
 * {@link #materialize} until the step's diff is taken and {@link #advance} (or {@link
 * #invalidate}) is called.
 */
public final class LiveRoot {
  private final Path root;
  private final ExcludedPaths kept;
  private final ContentStore content;
  private final SafeTarExtractor extractor;
  private final ReentrantLock lock = new ReentrantLock();
  /** The DiffIDs the root holds, or null when unknown (nothing applied yet, or a failed step). */
  private List<Digest> chain;

  /**
   * A live root at {@code root}.
   *
   * @param kept paths relative to {@code root} that belong to the host
   * @throws IllegalArgumentException if a kept path is not a plain relative path
   */
  public LiveRoot(Path root, Collection<String> kept, ContentStore content) {
    this.root = root;
    this.kept = ExcludedPaths.of(kept);
    this.content = content;
    this.extractor = new SafeTarExtractor(SafeTarExtractor.Options.apply().withKept(this.kept));
  }

  /** The directory. */
  public Path root() {
    return root;
  }

  /** The kept (host) paths, relative to the root; a walking diff must exclude them too. */
  public List<String> keptPaths() {
    return List.copyOf(kept.paths());
  }

  /** Held while one step materializes, runs in and diffs the root. */
  public ReentrantLock lock() {
    return lock;
  }

  /**
   * Makes the root hold exactly {@code layers}, applied in order onto an empty tree (kept paths
   * aside). Cheap when the root already holds a prefix of them: only the rest is applied.
   *
   * @return how many layers were applied
   * @throws IOException if a layer cannot be read or applied; the root's contents are then
   *     unknown and the next call starts from an empty tree
   */
  public int materialize(List<Layer> layers) throws IOException {
    requireLocked();
    List<Digest> want = layers.stream().map(Layer::diffId).toList();
    int from = 0;
    if (chain != null && chain.size() <= want.size()
        && want.subList(0, chain.size()).equals(chain)) {
      from = chain.size();
    } else {
      chain = null;
      wipe();
    }
    List<Digest> applied = new ArrayList<>(want.subList(0, from));
    chain = null;
    for (Layer layer : layers.subList(from, layers.size())) {
      try (InputStream blob = content.open(layer.blob())) {
        extractor.extract(blob, root, layer.diffId());
      }
      applied.add(layer.diffId());
    }
    chain = applied;
    return layers.size() - from;
  }

  /** Records that a step run in the root left exactly {@code layer} on top of its chain. */
  public void advance(Layer layer) {
    requireLocked();
    if (chain != null) {
      List<Digest> next = new ArrayList<>(chain);
      next.add(layer.diffId());
      chain = next;
    }
  }

  /** Records that the root's contents are unknown (a step failed midway): wipe before reuse. */
  public void invalidate() {
    requireLocked();
    chain = null;
  }

  private void wipe() throws IOException {
    try (var children = Files.list(root)) {
      for (Path child : (Iterable<Path>) children::iterator) {
        kept.deleteExcept(child, FileNames.name(child));
      }
    }
  }

  private void requireLocked() {
    if (!lock.isHeldByCurrentThread()) {
      throw new IllegalStateException("the live root is used without holding its lock");
    }
  }
}
