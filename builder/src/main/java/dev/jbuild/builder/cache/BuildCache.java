package dev.jbuild.builder.cache;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.image.DiffIds;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.OciJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps a step's cache key to its result: a layer, or "no change". Entries are small JSON files
 * under {@code <store>/cache/build/}, written by atomic rename, so concurrent builds and crashes
 * never leave a half-written entry. A hit whose layer blob is gone from the content store (pruned)
 * counts as a miss. Thread-safe.
 *
 * <p>Imported caches ({@code --cache-from}, {@link CacheSource}) are asked after the local
 * entries, in order. Their hits are lazy: the layer's blob is fetched only by {@link
 * #ensureLocal}, when a step needs the filesystem or the image must be stored. Every entry a build
 * uses or writes is kept in a journal ({@link #journal}), which {@code --cache-to} exports.
 */
public final class BuildCache {
  /**
   * The version of the key scheme, the first line of every key. v2: keys are the plan's key text
   * plus content lines (v1 interleaved them). Portable: keys hold no store path, local ID or local
   * time, only content digests (ChainIDs, checksums), the platform, SOURCE_DATE_EPOCH and the
   * planned instruction. v3: same keys as v2, but an exported config may omit a step's layer
   * ({@link CacheConfig.Entry#omitsLayer}); a v2 jbuild refuses it as another version, so it
   * never mistakes an omitted layer for "no change".
   */
  public static final String VERSION = "jbuild-cache-v3";

  /** The media type of the stand-in for a layer an imported cache omitted (never stored). */
  static final String OMITTED_MEDIA_TYPE = "application/vnd.jbuild.layer.omitted";

  private final Path dir;
  private final ContentStore content;
  /** The imported caches, in order, each with its entries by key. */
  private volatile Map<CacheSource, Map<Digest, CacheConfig.Entry>> sources = Map.of();
  /** Blobs of imported hits that are not local yet, and where they come from. */
  private final Map<Digest, CacheSource> remoteBlobs = new ConcurrentHashMap<>();
  private final Map<Digest, CacheConfig.Entry> journal = new LinkedHashMap<>();
  /**
   * Local entries of imported hits whose blob is not here yet, by blob: written once the blob is
   * fetched and its DiffID checked, so a local entry never trusts a cache's word alone.
   */
  private final Map<Digest, List<CacheConfig.Entry>> pending = new ConcurrentHashMap<>();
  /**
   * Stand-in layers of imported hits whose cache omitted the layer (by stand-in blob digest),
   * and the cache each came from. They give the right DiffID (hence ChainIDs and keys above
   * them) but no file: {@link #ensureLocal} refuses them.
   */
  private final Map<Digest, CacheSource> omitted = new ConcurrentHashMap<>();
  /** Whether imported entries that omit their layer count as hits. */
  private volatile boolean useOmitted = true;

  /** A cache in {@code dir} whose layers live in {@code content}. */
  public BuildCache(Path dir, ContentStore content) {
    this.dir = dir;
    this.content = content;
  }

  /** Asks {@code imported} (in order) after the local entries. */
  public BuildCache withSources(List<CacheSource> imported) {
    Map<CacheSource, Map<Digest, CacheConfig.Entry>> map = new LinkedHashMap<>();
    imported.forEach(source -> map.put(source, source.config().byKey()));
    this.sources = map;
    return this;
  }

  /** Stops asking imported caches (after one failed) and forgets the journal of the attempt. */
  public void dropSources() {
    sources = Map.of();
    remoteBlobs.clear();
    pending.clear();
    omitted.clear();
    synchronized (journal) {
      journal.clear();
    }
  }

  /**
   * Stops counting imported entries that omit their layer as hits (after a step needed the files
   * of one) and forgets the journal of the attempt; entries that carry their layer still hit.
   *
   * @return false when they already did not count (nothing changed)
   */
  public boolean dropOmittedLayers() {
    if (!useOmitted) {
      return false;
    }
    useOmitted = false;
    omitted.clear();
    synchronized (journal) {
      journal.clear();
    }
    return true;
  }

  /** Whether any imported cache is asked. */
  public boolean hasSources() {
    return !sources.isEmpty();
  }

  /**
   * Every entry this build used or wrote, sorted by key so that an export of the same build is
   * the same bytes.
   */
  public List<CacheConfig.Entry> journal() {
    List<CacheConfig.Entry> entries;
    synchronized (journal) {
      entries = new ArrayList<>(journal.values());
    }
    entries.sort(java.util.Comparator.comparing(e -> e.key().toString()));
    return entries;
  }

  /** Where an imported hit's blob that is not local yet comes from, if it is one. */
  public Optional<CacheSource> remoteSource(Digest blob) {
    return omitted.containsKey(blob) || content.contains(blob) ? Optional.empty()
        : Optional.ofNullable(remoteBlobs.get(blob));
  }

  /** Whether every blob of {@code layers} is in the content store. */
  public boolean isLocal(List<Layer> layers) {
    return layers.stream().allMatch(l -> !omitted.containsKey(l.blob().digest())
        && content.contains(l.blob().digest()));
  }

  /**
   * Fetches the blobs of {@code layers} that imported hits left remote (a layer that is neither
   * local nor from an imported hit is left for the caller's own "blob not found").
   *
   * @throws RemoteBlobException when an imported cache cannot deliver a blob it listed, or
   *     {@linkplain RemoteBlobException#omitted() omitted} the layer
   */
  public void ensureLocal(List<Layer> layers) throws RemoteBlobException {
    for (Layer layer : layers) {
      Digest digest = layer.blob().digest();
      CacheSource without = omitted.get(digest);
      if (without != null) {
        throw RemoteBlobException.omitted(without, "cache " + without.describe()
            + " omits layer " + layer.diffId());
      }
      CacheSource source = remoteBlobs.get(digest);
      if (source == null || content.contains(digest)) {
        continue;
      }
      synchronized (source) {
        if (content.contains(digest)) {
          continue;
        }
        try {
          source.fetch(layer.blob(), content);
          Digest diffId = DiffIds.of(content, digest);
          if (!diffId.equals(layer.diffId())) {
            // The blob is what its digest says, but not the layer the cache said it was.
            content.delete(digest);
            throw new IOException("its DiffID is " + diffId + ", the cache says "
                + layer.diffId());
          }
        } catch (IOException | RuntimeException e) {
          throw new RemoteBlobException(source, "Tried to fetch layer " + digest + " from cache "
              + source.describe() + " but failed because: " + e.getMessage(), e);
        }
      }
      remoteBlobs.remove(digest);
      for (CacheConfig.Entry e : pending.getOrDefault(digest, List.of())) {
        write(e.key(), e.asLayer(), e.created(), e.alias());
      }
      pending.remove(digest);
    }
  }

  private void record(Digest key, CacheConfig.Entry entry) {
    synchronized (journal) {
      journal.put(key, entry);
    }
  }

  /** The directory holding the entries (for {@code jbuild prune}). */
  public Path directory() {
    return dir;
  }

  /**
   * The recorded result of {@code key}.
   *
   * @return empty on a miss
   */
  public Optional<Hit> get(Digest key) {
    Optional<Hit> hit = getLocal(key);
    if (hit.isEmpty()) {
      hit = getImported(key);
    }
    hit.ifPresent(h -> {
      record(key, entry(key, h.layer(), h.created(), h.alias()));
      if (h.alias() != null) {
        // The step's other key, so this build exports what the build it hit exported.
        record(h.alias(), entry(h.alias(), h.layer(), h.created(), null));
      }
    });
    return hit;
  }

  /** The journal entry of a result: one that omits its layer when the layer is a stand-in. */
  private CacheConfig.Entry entry(Digest key, Optional<Layer> layer, String created,
      Digest alias) {
    CacheConfig.Entry e = CacheConfig.Entry.of(key, layer, created, alias);
    return layer.isPresent() && omitted.containsKey(layer.get().blob().digest())
        ? e.withoutLayer() : e;
  }

  /**
   * The stand-in for a layer a cache omitted: the layer's DiffID, and a blob digest no blob
   * has (a hash of the DiffID), so nothing mistakes it for a stored blob.
   */
  private static Layer standIn(Digest diffId) {
    return new Layer(Descriptor.of(OMITTED_MEDIA_TYPE,
        Digest.sha256("jbuild omitted layer " + diffId), 0), diffId);
  }

  private boolean diffIdMatches(Layer layer) {
    try {
      return DiffIds.of(content, layer.blob().digest()).equals(layer.diffId());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private Optional<Hit> getLocal(Digest key) {
    Path file = dir.resolve(key.hex());
    try {
      Entry e = OciJson.fromBytes(Files.readAllBytes(file), Entry.class);
      if (e.layer() != null && !content.contains(e.layer().blob().digest())) {
        return Optional.empty();
      }
      return Optional.of(new Hit(Optional.ofNullable(e.layer()), e.created(), false,
          e.alias()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      // A damaged entry is a miss; it is overwritten when the step runs again.
      return Optional.empty();
    }
  }

  /** The first imported cache that has {@code key}; its blob is remembered, not fetched. */
  private Optional<Hit> getImported(Digest key) {
    for (Map.Entry<CacheSource, Map<Digest, CacheConfig.Entry>> imported : sources.entrySet()) {
      CacheSource source = imported.getKey();
      CacheConfig.Entry e = imported.getValue().get(key);
      if (e == null || e.omitsLayer() && !useOmitted) {
        continue;
      }
      if (e.omitsLayer()) {
        // A hit without files: never a local entry, as a local entry promises its blob.
        Layer standIn = standIn(e.diffId());
        omitted.putIfAbsent(standIn.blob().digest(), source);
        return Optional.of(new Hit(Optional.of(standIn), e.created(), false, e.alias()));
      }
      Optional<Layer> layer = e.asLayer();
      if (layer.isPresent() && !content.contains(layer.get().blob().digest())) {
        remoteBlobs.putIfAbsent(layer.get().blob().digest(), source);
        pending.computeIfAbsent(layer.get().blob().digest(),
            d -> java.util.Collections.synchronizedList(new ArrayList<>())).add(e);
      } else if (layer.isPresent() && !diffIdMatches(layer.get())) {
        continue; // a cache that misnames a local blob is not believed
      } else {
        // Also a local entry, so later builds on this machine hit locally.
        write(key, layer, e.created(), e.alias());
      }
      return Optional.of(new Hit(layer, e.created(), false, e.alias()));
    }
    return Optional.empty();
  }

  /**
   * Records the result of {@code key} and when it was made (reused for the history of later
   * hits, so an unchanged rebuild gives the same image ID). Failures are ignored: the cache is an
   * optimisation.
   */
  public void put(Digest key, Optional<Layer> layer, String created) {
    put(key, layer, created, null);
  }

  /**
   * Like {@link #put(Digest, Optional, String)}, naming the step's other key: a {@code COPY
   * --from}'s chain key names its content key, so a build that hits the chain key also exports
   * the content key (which a runner that rebuilt the source stage to the same files hits).
   */
  public void put(Digest key, Optional<Layer> layer, String created, Digest alias) {
    record(key, entry(key, layer, created, alias));
    if (layer.isEmpty() || !omitted.containsKey(layer.get().blob().digest())) {
      write(key, layer, created, alias);
    }
  }

  private void write(Digest key, Optional<Layer> layer, String created, Digest alias) {
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".entry-", ".tmp");
      Files.write(tmp, OciJson.toBytes(new Entry(layer.orElse(null), created, alias)));
      Files.move(tmp, dir.resolve(key.hex()), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // Not fatal: the next build just runs the step again.
    }
  }

  /**
   * A cache hit.
   *
   * @param layer the step's layer, or empty when it changed nothing
   * @param created when the step originally ran (RFC 3339), or null for old entries
   * @param fresh true when the step just ran instead (never returned by {@link #get})
   * @param alias the step's other key recorded with the entry, or null
   */
  public record Hit(Optional<Layer> layer, String created, boolean fresh, Digest alias) {
    /** A hit read from a cache. */
    public Hit(Optional<Layer> layer, String created) {
      this(layer, created, false, null);
    }

    /** The result of a step that just ran (not from a cache). */
    public static Hit fresh(Optional<Layer> layer, String created) {
      return new Hit(layer, created, true, null);
    }
  }

  /**
   * One cache entry.
   *
   * @param layer the layer, or null when the step changed nothing
   * @param created when the step ran
   * @param alias the step's other key, or null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
  record Entry(@JsonProperty("layer") Layer layer, @JsonProperty("created") String created,
      @JsonProperty("alias") Digest alias) {}
}
