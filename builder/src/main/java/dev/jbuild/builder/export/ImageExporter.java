package dev.jbuild.builder.export;

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
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.snapshot.Snapshot;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Writes a built image where {@code -o} says. Files appear complete or not at all. */
public final class ImageExporter {
  private final LayerStore store;

  /** Exports images of {@code store}. */
  public ImageExporter(LayerStore store) {
    this.store = store;
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

  private static void tarTree(Path root, OutputStream out) throws IOException {
    TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8");
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
        if (p.equals(root)) {
          continue;
        }
        String name = root.relativize(p).toString();
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime",
            LinkOption.NOFOLLOW_LINKS);
        TarArchiveEntry e;
        if (Files.isSymbolicLink(p)) {
          e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
          e.setLinkName(Files.readSymbolicLink(p).toString());
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          e = new TarArchiveEntry(name + "/");
        } else {
          e = new TarArchiveEntry(name);
          e.setSize((Long) a.get("size"));
        }
        e.setMode((Integer) a.get("mode"));
        e.setUserId((Integer) a.get("uid"));
        e.setGroupId((Integer) a.get("gid"));
        e.setModTime(((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toMillis());
        tar.putArchiveEntry(e);
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          try (InputStream in = Files.newInputStream(p)) {
            in.transferTo(tar);
          }
        }
        tar.closeArchiveEntry();
      }
    }
    tar.finish();
  }

  @FunctionalInterface
  private interface Writing {
    void write(OutputStream out) throws IOException;
  }

  private static void writeAtomically(OutputSpec spec, Writing writing) throws IOException {
    if (spec.dest().equals("-")) {
      OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
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
