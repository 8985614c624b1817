package dev.jbuild.builder.remotecache;

import dev.jbuild.builder.cache.BuildCache;
import dev.jbuild.builder.cache.CacheConfig;
import dev.jbuild.builder.cache.CacheSource;
import dev.jbuild.builder.cache.CacheSpec;
import dev.jbuild.builder.cache.RemoteCaches;
import dev.jbuild.builder.distribution.ImageTransfer;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.registry.ProgressListener;
import dev.jbuild.registry.RegistryOptions;
import java.io.IOException;
import java.util.List;

/**
 * The {@link RemoteCaches} of a store: registry caches (a cache artifact, or an image with an
 * inline cache) through {@link RegistryCache}, OCI layout directories through {@link
 * LayoutCache}.
 */
public final class RemoteCacheStore implements RemoteCaches {
  private final LayerStore store;
  private final RegistryOptions options;

  /** Caches for {@code store}, reaching registries with {@code options}. */
  public RemoteCacheStore(LayerStore store, RegistryOptions options) {
    this.store = store;
    this.options = options;
  }

  @Override
  public CacheSource open(CacheSpec spec) throws IOException {
    return switch (spec.type()) {
      case REGISTRY -> RegistryCache.open(spec.ref(), options, transfer());
      case LOCAL -> LayoutCache.open(spec.dir());
      case INLINE -> throw new IOException("an inline cache is read from its image: use"
          + " --cache-from REF");
    };
  }

  @Override
  public void export(CacheSpec spec, CacheConfig config, List<Layer> layers, BuildCache cache)
      throws IOException {
    switch (spec.type()) {
      case REGISTRY -> RegistryCache.export(spec.ref(), config, layers, cache, transfer());
      case LOCAL -> LayoutCache.export(spec.dir(), config, layers, cache, store.content());
      case INLINE -> { /* written into the image config by the build */ }
      default -> throw new IllegalStateException();
    }
  }

  private ImageTransfer transfer() {
    return new ImageTransfer(store, options, ProgressListener.NONE);
  }
}
