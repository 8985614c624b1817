package dev.jbuild.builder.export;

import dev.jbuild.layerstore.fs.FileNames;
import dev.jbuild.builder.context.ChecksumCache;
import dev.jbuild.builder.context.RootfsSource;
import dev.jbuild.builder.context.TreeCopier;
import dev.jbuild.builder.fs.LayeredRootfs;
import dev.jbuild.builder.fs.UpperDirWriter;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.archive.ArchiveImage;
import dev.jbuild.layerstore.archive.DockerArchiveWriter;
import dev.jbuild.layerstore.fs.Trees;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.snapshot.Snapshot;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Writes a built image where {@code -o} says. Files appear complete or not at all. */
public final class ImageExporter {
  private final LayerStore store;
  private final OutputStream standardOutput;

  /**
   * Exports images of {@code store} to files; {@code dest=-} is refused (library code never
   * writes to the process's stdout on its own).
   */
  public ImageExporter(LayerStore store) {
    this(store, null);
  }

  /**
   * Exports images of {@code store}; {@code dest=-} writes to {@code standardOutput} (the CLI
   * passes {@code System.out}), which is flushed, never closed.
   */
  public ImageExporter(LayerStore store, OutputStream standardOutput) {
    this.store = store;
    this.standardOutput = standardOutput;
  }

  /** Exports {@code image} (tagged {@code tags} inside archives) as {@code spec} says. */
  public void export(Image image, List<ImageReference> tags, OutputSpec spec) throws IOException {
    switch (spec.type()) {
      case DOCKER -> archive(image, tags, spec, DockerArchiveWriter.Format.DOCKER);
      case OCI -> archive(image, tags, spec, DockerArchiveWriter.Format.OCI);
      case LOCAL -> rootfs(image, spec.path());
      case TAR -> rootfsTar(image, spec);
      default -> throw new IllegalStateException(spec.type().toString());
    }
  }

  /**
   * Writes {@code -o type=oci} of a multi-platform build: the whole index (tagged {@code tags})
   * with every platform's image, as BuildKit's OCI exporter does.
   */
  public void exportIndex(Descriptor index, List<Image> images, List<ImageReference> tags,
      OutputSpec spec) throws IOException {
    if (spec.type() != OutputSpec.Type.OCI) {
      throw new IllegalArgumentException("only type=oci holds an image index, not "
          + spec.type());
    }
    DockerArchiveWriter writer = new DockerArchiveWriter(store.content());
    writeAtomically(spec, out -> writer.writeIndex(out, index, images, tags));
  }

  private void archive(Image image, List<ImageReference> tags, OutputSpec spec,
      DockerArchiveWriter.Format format) throws IOException {
    DockerArchiveWriter writer = new DockerArchiveWriter(store.content());
    List<ArchiveImage> images = List.of(new ArchiveImage(image, tags));
    writeAtomically(spec, out -> writer.write(out, images, format));
  }

  /** Flattens the image's layers into {@code dir}, keeping owners, modes, links and times. */
  private void rootfs(Image image, Path dir) throws IOException {
    Files.createDirectories(dir);
    Snapshot snapshot = store.snapshots().prepare(image.layers());
    LayeredRootfs rootfs = LayeredRootfs.ofSnapshots(snapshot.absoluteLowerDirsTopFirst());
    UpperDirWriter writer = new UpperDirWriter(dir, new LayeredRootfs(List.of(), p -> false));
    new TreeCopier(new RootfsSource(rootfs, "image " + image.id()), ChecksumCache.inMemory())
        .copy(List.of("."), "/", writer, null, null);
  }

  private void rootfsTar(Image image, OutputSpec spec) throws IOException {
    Path tmp = Files.createTempDirectory(store.tmp(), "export-");
    try {
      rootfs(image, tmp);
      writeAtomically(spec, out -> tarTree(tmp, out));
    } finally {
      Trees.deleteRecursively(tmp);
    }
  }

  /**
   * Writes the tree under {@code root} as a tar through layerstore's {@link TarWriter} (PAX for
   * long names and big numbers, no user or group names): entries in sorted order, with owners,
   * permission bits, symlink targets and mtimes in seconds. Hardlinked files are written as
   * separate files; sockets, which tar cannot hold, are left out.
   */
  private static void tarTree(Path root, OutputStream out) throws IOException {
    TarWriter tar = new TarWriter(out);
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
        if (p.equals(root)) {
          continue;
        }
        Map<String, Object> a = Files.readAttributes(p,
            "unix:mode,uid,gid,size,rdev,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        TarEntry.Type type = entryType(mode);
        if (type == null) {
          continue;
        }
        long rdev = (Long) a.get("rdev");
        TarEntry entry = new TarEntry(FileNames.string(root.relativize(p)), type, mode & 07777,
            (Integer) a.get("uid"), (Integer) a.get("gid"),
            type == TarEntry.Type.FILE ? (Long) a.get("size") : 0,
            ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.SECONDS),
            type == TarEntry.Type.SYMLINK ? FileNames.string(Files.readSymbolicLink(p)) : "",
            major(rdev), minor(rdev), Map.of());
        if (type == TarEntry.Type.FILE) {
          try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            tar.write(entry, in);
          }
        } else {
          tar.write(entry, null);
        }
      }
    }
    tar.finish();
  }

  /** A device number's major part (glibc's {@code gnu_dev_major}). */
  private static int major(long dev) {
    return (int) (((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL));
  }

  /** A device number's minor part (glibc's {@code gnu_dev_minor}). */
  private static int minor(long dev) {
    return (int) ((dev & 0xff) | ((dev >>> 12) & ~0xffL));
  }

  /** The tar type for a {@code st_mode}, or null for a socket. */
  private static TarEntry.Type entryType(int mode) {
    return switch (mode & 0170000) {
      case 0100000 -> TarEntry.Type.FILE;
      case 0040000 -> TarEntry.Type.DIRECTORY;
      case 0120000 -> TarEntry.Type.SYMLINK;
      case 0020000 -> TarEntry.Type.CHAR_DEVICE;
      case 0060000 -> TarEntry.Type.BLOCK_DEVICE;
      case 0010000 -> TarEntry.Type.FIFO;
      default -> null;
    };
  }

  @FunctionalInterface
  private interface Writing {
    void write(OutputStream out) throws IOException;
  }

  private void writeAtomically(OutputSpec spec, Writing writing) throws IOException {
    if (spec.dest().equals("-")) {
      if (standardOutput == null) {
        throw new IOException("dest=- (standard output) needs an output stream: create the"
            + " ImageExporter with one");
      }
      OutputStream out = new BufferedOutputStream(standardOutput, 1 << 16);
      writing.write(out);
      out.flush();
      return;
    }
    Path target = spec.path().toAbsolutePath();
    Files.createDirectories(target.getParent());
    Path tmp = Files.createTempFile(target.getParent(), ".jbuild-out-", ".tmp");
    try {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        writing.write(out);
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
