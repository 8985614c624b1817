package dev.jbuild.builder;

import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.archive.RootfsImporter;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The set-up the in-process build tests of this package share: a tiny base image made offline
 * from a rootfs directory (no pull, no root) and tagged in a store, and a listener that keeps the
 * build's {@code info} lines. It only writes files under the directories it is given (a test's
 * JUnit {@code @TempDir}, which JUnit deletes after the test); it mounts nothing, starts no
 * process and holds no open resource, so there is nothing else to clean up.
 */
final class BuildFixture {
  /** The tag the tests' Dockerfiles build {@code FROM}. */
  static final String BASE = "base:1";
  /** The platform every fixture image is imported as, whatever the host. */
  static final Platform AMD64 = Platform.parse("linux/amd64");

  private BuildFixture() {}

  /**
   * Writes the smallest rootfs the tests use, {@code <tmp>/rootfs/etc/os-release} ("ID=test"),
   * and returns {@code <tmp>/rootfs}; a test may add files to it before importing it. Writing it
   * again (a second store from the same rootfs) leaves the same bytes.
   */
  static Path rootfs(Path tmp) throws IOException {
    Path etc = Files.createDirectories(tmp.resolve("rootfs/etc"));
    Files.writeString(etc.resolve("os-release"), "ID=test\n");
    return etc.getParent();
  }

  /**
   * Imports {@code rootfs} into {@code store} as a one-layer {@link #AMD64} image with the history
   * comment {@code comment} and tags it {@code ref}; returns the image.
   */
  static Image tag(LayerStore store, Path rootfs, String ref, String comment)
      throws IOException {
    Image image = new RootfsImporter(store).importRootfs(rootfs, AMD64, comment);
    store.images().tag(ImageReference.parse(ref), image.manifestDescriptor());
    return image;
  }

  /** {@link #tag} of {@code rootfs} as {@link #BASE}, the tests' usual base. */
  static Image tagBase(LayerStore store, Path rootfs) throws IOException {
    return tag(store, rootfs, BASE, "test rootfs");
  }

  /**
   * Opens (creating) a store at {@code storeDir} holding {@code rootfs} as {@link #BASE}: a fresh
   * machine with the base image already there, as a new CI runner would have.
   */
  static LayerStore storeWithBase(Path storeDir, Path rootfs) throws IOException {
    LayerStore store = LayerStore.open(storeDir);
    tagBase(store, rootfs);
    return store;
  }

  /**
   * Writes a build context {@code <tmp>/context} with {@code dockerfile} as its {@code Dockerfile}
   * (UTF-8) and, for each pair of {@code nameThenText}, a file of that name and text; returns the
   * directory. Calling it again overwrites those files and leaves any others.
   */
  static Path context(Path tmp, String dockerfile, String... nameThenText) throws IOException {
    if (nameThenText.length % 2 != 0) {
      throw new IllegalArgumentException("Tried to write a build context but failed because "
          + "the files are not name/text pairs: " + List.of(nameThenText));
    }
    Path context = Files.createDirectories(tmp.resolve("context"));
    Files.writeString(context.resolve("Dockerfile"), dockerfile, StandardCharsets.UTF_8);
    for (int i = 0; i < nameThenText.length; i += 2) {
      Files.writeString(context.resolve(nameThenText[i]), nameThenText[i + 1],
          StandardCharsets.UTF_8);
    }
    return context;
  }

  /** A listener that appends every {@code info} line of a build to {@code messages}. */
  static BuildListener infos(List<String> messages) {
    return new BuildListener() {
      @Override
      public void info(String message) {
        messages.add(message);
      }
    };
  }
}
