package dev.jbuild.builder.cli;

import dev.jbuild.builder.distribution.StoreBaseImageSource;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.registry.RegistryOptions;
import dev.jbuild.runner.CommandRunner;
import dev.jbuild.runner.ContainerRunner;
import dev.jbuild.runner.InPlaceContainerRunner;
import dev.jbuild.runner.RunnerException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What the commands share: the store at the chosen root, the runner and registry settings. */
final class Session {
  final Path root;
  final LayerStore store;
  private java.util.Set<String> insecureRegistries = java.util.Set.of();
  private java.util.Map<String, dev.jbuild.registry.auth.Credential> credentials =
      java.util.Map.of();

  private Session(Path root, LayerStore store) {
    this.root = root;
    this.store = store;
  }

  static Session open(Main main) throws IOException {
    Path root = main.storeRoot();
    var credentials = main.stdinCredentials(); // its own message, not the store's
    try {
      Session session = new Session(root, LayerStore.open(root));
      session.insecureRegistries = main.insecureRegistries();
      session.credentials = credentials;
      return session;
    } catch (IOException e) {
      throw new IOException("Tried to open the store at " + root + " but failed because: "
          + e.getMessage() + " (choose another directory with --root or $JBUILD_ROOT)", e);
    }
  }

  /**
   * The isolation mode commands run containers with: the namespaces runner as root of the host,
   * its rootless form as root of jbuild's own user namespace ({@link Isolation}).
   *
   * @throws RunnerException for a non-root user without rootless mode, saying why
   */
  CommandRunner runner() throws RunnerException {
    // Like the runner's own sweep of crashed runs: RUN scratch dirs that killed processes left
    // (older jbuilds kept --secret values there). Live ones are locked and never touched.
    try {
      for (Path leftover : store.tempLeftovers()) {
        dev.jbuild.layerstore.fs.Trees.deleteRecursively(leftover);
      }
    } catch (IOException e) {
      // prune and verify --repair remove them too
    }
    if (Isolation.inPlace()) {
      CommandRunner runner = InPlaceContainerRunner.create(root.resolve("runner"),
          Isolation.inPlaceRoot(), inPlaceHostPaths());
      Isolation.announceInPlace(System.err);
      return runner;
    }
    if (Isolation.cannotMount()) {
      throw Isolation.cannotMountHere();
    }
    if (Isolation.rootless()) {
      ContainerRunner runner = ContainerRunner.createRootless(root.resolve("runner"));
      Isolation.announce(System.err, runner.sharesProcesses());
      return runner;
    }
    if (!dev.jbuild.layerstore.posix.Posix.isRoot()) {
      throw Isolation.unavailable();
    }
    // Commands share the machine-wide bridge namespaces (see ContainerRunner.create).
    return ContainerRunner.create(root.resolve("runner"), true);
  }

  /** The store (if it lies under the in-place root) belongs to the host: never wiped. */
  private List<String> inPlaceHostPaths() {
    Path inPlace = Isolation.inPlaceRoot().toAbsolutePath().normalize();
    Path store = root.toAbsolutePath().normalize();
    return store.startsWith(inPlace) && !store.equals(inPlace)
        ? List.of(inPlace.relativize(store).toString()) : List.of();
  }

  /**
   * Docker's defaults: credentials from {@code config.json}, HTTPS except for loopback registries
   * and those named with {@code --insecure-registry}; credentials given on stdin ({@code
   * --registry-auth-stdin}) win for their registries.
   */
  RegistryOptions registryOptions() {
    RegistryOptions options = RegistryOptions.defaults()
        .withInsecureRegistries(insecureRegistries.toArray(new String[0]));
    for (var c : credentials.entrySet()) {
      options = options.withCredential(c.getKey(), c.getValue());
    }
    return options;
  }

  StoreBaseImageSource baseImages(java.util.function.Consumer<String> progress) {
    return new StoreBaseImageSource(store, registryOptions(), progress);
  }

  /**
   * Finds a stored image as docker does: by reference, else by image ID or ID prefix, untagged
   * images included (built without {@code -t}, loaded without a name, or whose tag moved).
   *
   * @throws IOException when nothing matches: "No such image: x"
   */
  Image image(String nameOrId) throws IOException {
    return image(nameOrId, null);
  }

  /**
   * Like {@link #image(String)}; a tag that names an image index (a multi-platform build) gives
   * its image for {@code platform}, by default this machine's (as docker picks one).
   *
   * @throws IOException "No such image: x", or the index has no image for the platform
   */
  Image image(String nameOrId, dev.jbuild.layerstore.oci.Platform platform) throws IOException {
    try {
      return taggedImage(nameOrId, platform);
    } catch (IOException e) {
      String hex = nameOrId.startsWith("sha256:") ? nameOrId.substring(7) : nameOrId;
      if (!hex.matches("[0-9a-f]{4,64}")) {
        throw e;
      }
      for (Descriptor d : store.images().listAll()) {
        try {
          Image image = store.images().load(d.digest());
          if (image.id().hex().startsWith(hex) || d.digest().hex().equals(hex)) {
            return image;
          }
        } catch (IOException broken) {
          // skip images that cannot be read; verify reports them
        }
      }
      throw e;
    }
  }

  private Image taggedImage(String nameOrId, dev.jbuild.layerstore.oci.Platform platform)
      throws IOException {
    Optional<Descriptor> byRef = Optional.empty();
    try {
      byRef = store.images().resolve(ImageReference.parse(nameOrId));
    } catch (IllegalArgumentException e) {
      // Not a reference; maybe an image ID.
    }
    if (byRef.isPresent()) {
      return PlatformImages.select(store, nameOrId, byRef.get(), platform);
    }
    String hex = nameOrId.startsWith("sha256:") ? nameOrId.substring(7) : nameOrId;
    if (hex.matches("[0-9a-f]{4,64}")) {
      for (var tagged : store.images().list()) {
        Image image = store.images().load(tagged.manifest().digest());
        Digest id = image.id();
        if (id.hex().startsWith(hex)) {
          return image;
        }
      }
    }
    throw new IOException("No such image: " + nameOrId);
  }

  /**
   * A store lease for this command's duration: garbage collection ({@code jbuild prune}) in
   * another process waits until it is released (at exit at the latest).
   */
  dev.jbuild.layerstore.fs.FileLocks.Held lease() throws IOException {
    return store.lease();
  }
}
