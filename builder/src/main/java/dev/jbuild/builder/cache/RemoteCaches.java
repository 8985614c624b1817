package dev.jbuild.builder.cache;

import dev.jbuild.layerstore.content.Layer;
import java.io.IOException;
import java.util.List;

/**
 * Reads and writes caches outside the store ({@code --cache-from}, {@code --cache-to}): the
 * registry and OCI-layout implementation lives in {@code builder.remotecache}, which knows
 * registries; the build only sees this interface.
 */
public interface RemoteCaches {
  /** No remote caches: any spec is refused. */
  RemoteCaches NONE = new RemoteCaches() {
    @Override
    public CacheSource open(CacheSpec spec) throws IOException {
      throw new IOException("this builder has no remote cache support (" + spec.type() + ")");
    }

    @Override
    public void export(CacheSpec spec, CacheConfig config, List<Layer> layers,
        BuildCache cache) throws IOException {
      throw new IOException("this builder has no remote cache support (" + spec.type() + ")");
    }
  };

  /**
   * Reads the entries of {@code spec} (manifest and config only, never a layer).
   *
   * @throws IOException saying why the cache cannot be used; the build then treats it as empty
   */
  CacheSource open(CacheSpec spec) throws IOException;

  /**
   * Writes {@code config} and the blobs of {@code layers} (its entries' layers) to {@code spec}.
   * Blobs that imported hits left remote are mounted where the target's registry allows, else
   * fetched through {@link BuildCache#ensureLocal}.
   *
   * @throws IOException saying what failed
   */
  void export(CacheSpec spec, CacheConfig config, List<Layer> layers, BuildCache cache)
      throws IOException;
}
