package dev.jbuild.builder.exec;

import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.snapshot.LiveRoot;
import dev.jbuild.runner.InPlaceRunner;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link LiveRoot} per in-place root directory in this process, so that concurrent builds
 * (and the stages of one build) take turns in it and share what it holds.
 */
final class LiveRoots {
  private static final ConcurrentHashMap<Path, LiveRoot> ROOTS = new ConcurrentHashMap<>();

  private LiveRoots() {}

  static LiveRoot of(InPlaceRunner runner, ContentStore content) {
    return ROOTS.computeIfAbsent(runner.root().toAbsolutePath().normalize(),
        root -> new LiveRoot(root, runner.hostPaths(), content));
  }
}
