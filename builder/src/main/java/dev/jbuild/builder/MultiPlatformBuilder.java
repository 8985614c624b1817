package dev.jbuild.builder;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.builder.exec.SharedStages;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Builds one Dockerfile for several platforms ({@code --platform linux/amd64,linux/arm64}) and
 * stores the images under one OCI image index, which the request's tags name. The platforms'
 * builds run in parallel; a stage that is the same for all of them (a {@code FROM
 * --platform=$BUILDPLATFORM} stage) runs once ({@link SharedStages}). Thread-safe.
 */
public final class MultiPlatformBuilder {
  private final ImageBuilder builder;
  private final LayerStore store;

  /** Builds with {@code builder} into {@code store}. */
  public MultiPlatformBuilder(ImageBuilder builder, LayerStore store) {
    this.builder = builder;
    this.store = store;
  }

  /**
   * What a multi-platform build produced.
   *
   * @param index the stored index's descriptor (an OCI image index, or a Docker manifest list)
   * @param indexBytes its bytes
   * @param images each platform's image, in the order the platforms were asked for
   * @param tags the references the index was tagged with
   */
  public record Result(Descriptor index, byte[] indexBytes, List<PlatformImage> images,
      List<ImageReference> tags) {
    /** Copies. */
    public Result {
      images = List.copyOf(images);
      tags = List.copyOf(tags);
    }
  }

  /** One platform's image of an index. */
  public record PlatformImage(Platform platform, Image image) {}

  /**
   * Builds {@code request} for each of {@code platforms} (at least one; {@code
   * request.platform()} is ignored), stores the index and tags it with {@code request.tags()}.
   *
   * @throws BuildException the first platform's failure, its message prefixed with the platform
   */
  public Result build(BuildRequest request, List<Platform> platforms, BuildListener listener)
      throws BuildException, InterruptedException {
    return build(request, platforms, listener, MediaTypes.OCI_INDEX);
  }

  /**
   * Like {@link #build(BuildRequest, List, BuildListener)}, storing the index as {@code
   * indexMediaType} says: {@link MediaTypes#OCI_INDEX}, or {@link
   * MediaTypes#DOCKER_MANIFEST_LIST} (buildx's {@code oci-mediatypes=false}) with the same
   * entries.
   *
   * @throws BuildException also when a Docker list is asked for and an image is not a Docker
   *     schema 2 manifest (an unchanged OCI base)
   */
  public Result build(BuildRequest request, List<Platform> platforms, BuildListener listener,
      String indexMediaType) throws BuildException, InterruptedException {
    if (!MediaTypes.OCI_INDEX.equals(indexMediaType)
        && !MediaTypes.DOCKER_MANIFEST_LIST.equals(indexMediaType)) {
      throw new IllegalArgumentException("not an index media type: " + indexMediaType);
    }
    if (platforms.isEmpty()) {
      throw new IllegalArgumentException("no platform to build");
    }
    SharedStages shared = new SharedStages();
    List<CompletableFuture<BuildResult>> futures = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    // Each platform's cache and image; --cache-to is written once, with all of them.
    List<CacheTransfer.Built> cacheTo = java.util.Collections.synchronizedList(
        new ArrayList<>());
    for (Platform p : platforms) {
      CompletableFuture<BuildResult> f = new CompletableFuture<>();
      futures.add(f);
      Thread t = new Thread(() -> {
        try {
          f.complete(builder.build(request.forPlatform(p), new PlatformListener(listener, p),
              shared, cacheTo));
        } catch (Throwable e) {
          f.completeExceptionally(e);
        }
      }, "jbuild-platform-" + p);
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
    List<PlatformImage> images = new ArrayList<>();
    try {
      for (int i = 0; i < platforms.size(); i++) {
        images.add(new PlatformImage(platforms.get(i),
            await(futures.get(i), platforms.get(i)).image()));
      }
    } finally {
      // The first failure ends the others (their stages are interrupted and clean up).
      for (int i = 0; i < threads.size(); i++) {
        if (!futures.get(i).isDone()) {
          threads.get(i).interrupt();
        }
      }
      for (Thread t : threads) {
        t.join();
      }
    }
    List<CacheTransfer.Built> built = new ArrayList<>(cacheTo);
    // In the order the platforms were asked for, so the same build exports the same bytes.
    built.sort(java.util.Comparator.comparingInt(b -> indexOf(images, b.image())));
    CacheTransfer.exportAll(builder.remoteCaches(), request, built, listener);
    try {
      List<Descriptor> entries = new ArrayList<>();
      for (PlatformImage pi : images) {
        Descriptor m = pi.image().manifestDescriptor();
        entries.add(new Descriptor(m.mediaType(), m.digest(), m.size(), Map.of(),
            platformOf(pi.image())));
      }
      ImageIndex oci = ImageIndex.oci(entries);
      byte[] bytes;
      try {
        bytes = OciJson.toBytes(MediaTypes.OCI_INDEX.equals(indexMediaType) ? oci
            : oci.toDockerManifestList());
      } catch (IllegalArgumentException e) {
        throw new BuildException("Tried to store the image index as a Docker manifest list"
            + " (oci-mediatypes=false) but failed because: " + e.getMessage(), e);
      }
      Descriptor index = store.content().put(indexMediaType, bytes);
      listener.info("writing image index " + index.digest() + " done");
      for (ImageReference tag : request.tags()) {
        store.images().tag(tag, index);
        listener.info("naming to " + tag + " done");
      }
      return new Result(index, bytes, images, request.tags());
    } catch (IOException e) {
      throw new BuildException("Tried to store the image index but failed because: "
          + e.getMessage(), e);
    }
  }

  private static int indexOf(List<PlatformImage> images, Image image) {
    for (int i = 0; i < images.size(); i++) {
      if (images.get(i).image() == image) {
        return i;
      }
    }
    return images.size();
  }

  /** The platform an image says it is for (its config), as an index entry names it. */
  static Platform platformOf(Image image) {
    var c = image.config();
    return new Platform(c.architecture(), c.os(), c.variant());
  }

  private static BuildResult await(CompletableFuture<BuildResult> f, Platform p)
      throws BuildException, InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof BuildException b) {
        throw b instanceof dev.jbuild.builder.error.StepFailedException ? b
            : new BuildException("[" + p + "] " + b.getMessage(), b);
      }
      BuildException.rethrowIfKnown(cause);
      throw new BuildException("[" + p + "] " + cause, cause);
    }
  }

  /** Puts the platform into step labels, as BuildKit prints {@code [linux/arm64 2/3] RUN …}. */
  private record PlatformListener(BuildListener delegate, Platform platform)
      implements BuildListener {
    private String label(String label) {
      return label.startsWith("[") ? "[" + platform + " " + label.substring(1)
          : "[" + platform + "] " + label;
    }

    @Override
    public void stepStarted(String label) {
      delegate.stepStarted(label(label));
    }

    @Override
    public void stepOutput(String label, String line) {
      delegate.stepOutput(label(label), line);
    }

    @Override
    public void stepFinished(String label, long millis, boolean cached) {
      delegate.stepFinished(label(label), millis, cached);
    }

    @Override
    public void waiting(boolean waiting) {
      delegate.waiting(waiting);
    }

    @Override
    public void info(String message) {
      delegate.info("[" + platform + "] " + message);
    }
  }
}
