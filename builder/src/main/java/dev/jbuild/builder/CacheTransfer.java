package dev.jbuild.builder;

import dev.jbuild.builder.cache.BuildCache;
import dev.jbuild.builder.cache.CacheConfig;
import dev.jbuild.builder.cache.CacheSource;
import dev.jbuild.builder.cache.CacheSpec;
import dev.jbuild.builder.cache.RemoteBlobException;
import dev.jbuild.builder.cache.RemoteCaches;
import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.builder.exec.StageResult;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The build's side of {@code --cache-from} and {@code --cache-to}: opening imported caches (a
 * cache that cannot be read is a warning, never a failure), deciding whether the image may keep
 * lazy layers, the inline cache label and the exports.
 */
final class CacheTransfer {
  private CacheTransfer() {}

  /** Opens each spec; one that cannot be read is reported in one line and left out. */
  static List<CacheSource> open(RemoteCaches caches, List<CacheSpec> specs,
      BuildListener listener) {
    List<CacheSource> sources = new ArrayList<>();
    for (CacheSpec spec : specs) {
      try {
        CacheSource source = caches.open(spec);
        listener.info("importing cache " + source.describe() + ": "
            + source.config().entries().size() + " entries");
        sources.add(source);
      } catch (IOException | RuntimeException e) {
        listener.info("WARNING: cache " + describe(spec) + " is not used: " + e.getMessage());
      }
    }
    return sources;
  }

  /**
   * Whether the image may be composed without fetching layers that imported hits left remote:
   * the request allows it and every such layer sits in the registry of every tag, which mounts it
   * on push.
   */
  static boolean keepLazy(BuildRequest request, BuildCache cache, List<Layer> layers) {
    if (!request.lazyLayers() || request.tags().isEmpty() || cache.isLocal(layers)) {
      return false;
    }
    for (Layer layer : layers) {
      Optional<CacheSource> source = cache.remoteSource(layer.blob().digest());
      if (source.isEmpty()) {
        if (!cache.isLocal(List.of(layer))) {
          return false;
        }
        continue;
      }
      for (ImageReference tag : request.tags()) {
        if (!tag.registry().equals(source.get().registry())) {
          return false;
        }
      }
    }
    return true;
  }

  /** The imported cache that failed in {@code e}'s causes, or null. */
  static RemoteBlobException remoteCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RemoteBlobException r) {
        return r;
      }
    }
    return null;
  }

  /**
   * Makes {@code cache} stop asking what failed in {@code bad}, so the build can run again: an
   * omitted layer whose files a step needs ({@code mode=min}) drops every omitted layer, with one
   * plain line (the steps run, as BuildKit runs them); a blob that failed drops the imported
   * caches, with one {@code WARNING} line.
   *
   * @return false when there is nothing left to drop (the failure is then the build's)
   */
  static boolean retryWithout(RemoteBlobException bad, BuildCache cache,
      BuildListener listener) {
    if (bad.omitted() && cache.dropOmittedLayers()) {
      listener.info(bad.getMessage() + " (mode=min) and a step needs its files: building again"
          + " without omitted layers");
      return true;
    }
    if (!bad.omitted() && cache.hasSources()) {
      listener.info("WARNING: " + bad.getMessage() + "; building without imported caches");
      cache.dropSources();
      return true;
    }
    return false;
  }

  /** The final config, with the inline cache label when {@code --cache-to type=inline}. */
  static ImageConfig withInlineCache(BuildRequest request, BuildCache cache, StageResult last) {
    if (request.cacheTo().stream().noneMatch(s -> s.type() == CacheSpec.Type.INLINE)) {
      return last.config();
    }
    List<CacheConfig.Entry> entries = minimal(cache.journal(),
        last.layers().stream().map(Layer::diffId).toList());
    String json = new String(new CacheConfig(BuildCache.VERSION, entries).toBytes(),
        StandardCharsets.UTF_8);
    return last.config().withContainerConfig(
        last.config().containerConfig().withLabel(CacheConfig.INLINE_LABEL, json));
  }

  /**
   * Writes every non-inline {@code --cache-to}.
   *
   * @throws BuildException naming the cache when an export fails (the image is built and stored)
   */
  static void export(RemoteCaches caches, BuildRequest request, BuildCache cache, Image image,
      BuildListener listener) throws BuildException {
    exportAll(caches, request, List.of(new Built(cache, image)), listener);
  }

  /** One build's cache and image, whose cache export a multi-platform build defers. */
  record Built(BuildCache cache, Image image) {}

  /**
   * Writes every non-inline {@code --cache-to} once for all of {@code builds} (the platforms of a
   * multi-platform build): one artifact with every build's entries, each key once (their keys
   * name their platform; a shared native stage's entries are the same in every build), so that
   * {@code --cache-from} serves every platform instead of the last one exported.
   *
   * @throws BuildException naming the cache when an export fails (the images are built and stored)
   */
  static void exportAll(RemoteCaches caches, BuildRequest request, List<Built> builds,
      BuildListener listener) throws BuildException {
    if (builds.isEmpty()) {
      return;
    }
    for (CacheSpec spec : request.cacheTo()) {
      if (spec.type() == CacheSpec.Type.INLINE) {
        continue;
      }
      List<CacheConfig.Entry> entries;
      try {
        entries = merged(builds, spec.mode() == CacheSpec.Mode.MIN);
      } catch (IOException e) {
        throw new BuildException("Tried to export the build cache to " + describe(spec)
            + " but failed because: " + e.getMessage(), e);
      }
      BuildCache cache = builds.get(0).cache();
      Map<Digest, Layer> layers = new LinkedHashMap<>();
      entries.forEach(e -> e.asLayer().ifPresent(l -> layers.putIfAbsent(l.blob().digest(), l)));
      try {
        caches.export(spec, new CacheConfig(BuildCache.VERSION, entries),
            new ArrayList<>(layers.values()), cache);
        listener.info("exported cache " + describe(spec) + ": " + entries.size() + " entries, "
            + layers.size() + " layers");
      } catch (IOException | RuntimeException e) {
        throw new BuildException("Tried to export the build cache to " + describe(spec)
            + " but failed because: " + e.getMessage(), e);
      }
    }
  }

  /**
   * The entries of {@code builds}, sorted by key as one journal is. With more than one build,
   * blobs that imported hits left remote are fetched first: the export then needs no build's
   * own view of where they come from.
   */
  private static List<CacheConfig.Entry> merged(List<Built> builds, boolean min)
      throws IOException {
    if (builds.size() == 1) {
      List<CacheConfig.Entry> entries = builds.get(0).cache().journal();
      return min ? minimal(entries, builds.get(0).image().config().rootfs().diffIds())
          : entries;
    }
    Map<String, CacheConfig.Entry> byKey = new java.util.TreeMap<>();
    for (Built b : builds) {
      List<CacheConfig.Entry> entries = b.cache().journal();
      if (min) {
        entries = minimal(entries, b.image().config().rootfs().diffIds());
      }
      List<Layer> remote = new ArrayList<>();
      entries.forEach(e -> e.asLayer().ifPresent(remote::add));
      b.cache().ensureLocal(remote);
      // A key one build carries with its layer and another without: the layer wins.
      entries.forEach(e -> byKey.merge(e.key().toString(), e,
          (a, c) -> a.omitsLayer() ? c : a));
    }
    return new ArrayList<>(byKey.values());
  }

  /**
   * The {@code mode=min} entries, as BuildKit's: the steps whose layer is one of {@code diffIds}
   * (the final image's) with their layers, and every other step without its layer (its DiffID
   * kept). The plan holds only the stages the target reaches ({@code FROM} a stage, {@code COPY
   * --from}, {@code RUN --mount from=}), so the other steps are the ones that lead to the final
   * image's layers: a fresh runner hits them to compute the ChainIDs and chain keys above them,
   * and never runs a stage whose files nothing needs; the export stays as small as the image.
   */
  private static List<CacheConfig.Entry> minimal(List<CacheConfig.Entry> entries,
      List<Digest> diffIds) {
    Set<Digest> wanted = new HashSet<>(diffIds);
    List<CacheConfig.Entry> kept = new ArrayList<>();
    for (CacheConfig.Entry e : entries) {
      kept.add(e.diffId() != null && wanted.contains(e.diffId()) ? e : e.withoutLayer());
    }
    return kept;
  }

  /** {@code registry REF}, {@code local DIR} or {@code inline}. */
  static String describe(CacheSpec spec) {
    return switch (spec.type()) {
      case REGISTRY -> "registry " + spec.ref();
      case LOCAL -> "local " + spec.dir();
      case INLINE -> "inline";
    };
  }
}
