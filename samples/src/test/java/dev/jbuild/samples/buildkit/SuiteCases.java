package dev.jbuild.samples.buildkit;

import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarWriter;
import dev.jbuild.samples.Jbuild;
import dev.jbuild.samples.buildkit.SuiteCase.Line;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Finds the suite's cases and lays out a case's build context: {@code context/} copied (symlinks
 * kept as links), the case's {@code Dockerfile} at its root, then the setup lines applied for
 * what git cannot hold (sockets, exact modes, empty directories, generated archives).
 */
final class SuiteCases {
  private SuiteCases() {}

  /** {@code samples/src/test/resources/buildkit}, read in place so modes and links survive. */
  static Path root() {
    return Jbuild.samplesDir().resolve("src/test/resources/buildkit");
  }

  /** Every {@code <go-file-stem>/<case>} directory that holds an {@code expect} file, sorted. */
  static List<String> ids() throws IOException {
    Path root = root();
    try (Stream<Path> walk = Files.walk(root, 2)) {
      return walk.filter(p -> root.relativize(p).getNameCount() == 2)
          .filter(p -> Files.isRegularFile(p.resolve("expect")))
          .map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }

  /** Lays out the context of {@code c} at {@code dest} and returns {@code dest}. */
  static Path context(SuiteCase c, Path dest) throws IOException {
    Files.createDirectories(dest);
    Path src = c.dir().resolve("context");
    if (Files.isDirectory(src)) {
      copyTree(src, dest);
    }
    if (Files.isRegularFile(c.dir().resolve("Dockerfile"))) {
      Files.copy(c.dir().resolve("Dockerfile"), dest.resolve("Dockerfile"),
          StandardCopyOption.REPLACE_EXISTING);
    }
    for (Line line : c.setup()) {
      Path p = dest.resolve(line.word(0));
      if (p.getParent() != null) {
        Files.createDirectories(p.getParent());
      }
      switch (line.keyword()) {
        case "symlink" -> Files.createSymbolicLink(p, Path.of(line.word(1)));
        case "socket" -> {
          // Binding leaves the socket file behind after the channel is closed.
          try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(p));
          }
        }
        case "chmod" -> Files.setAttribute(p, "unix:mode", Integer.parseInt(line.word(1), 8),
            LinkOption.NOFOLLOW_LINKS);
        case "mkdir" -> Files.createDirectories(p);
        case "write" -> Files.writeString(p, line.textAfter(1), StandardCharsets.UTF_8);
        case "tar" -> tar(c.dir().resolve(line.word(1)), p,
            line.words().size() > 2 && line.word(2).equals("gzip"));
        default -> throw new IllegalStateException(line.keyword());
      }
    }
    return dest;
  }

  private static void copyTree(Path src, Path dest) throws IOException {
    try (Stream<Path> walk = Files.walk(src)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path to = dest.resolve(src.relativize(p).toString());
        if (Files.isSymbolicLink(p)) {
          Files.createSymbolicLink(to, Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  /**
   * Writes the tree under {@code dir} (relative names, sorted, owned 0:0, mtime 0, modes as on
   * disk) as a tar, gzip-compressed when asked: the archives the Go tests build in memory.
   */
  private static void tar(Path dir, Path out, boolean gzip) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(dir)) {
      paths = walk.filter(p -> !p.equals(dir)).sorted().toList();
    }
    try (OutputStream file = Files.newOutputStream(out);
        OutputStream os = gzip ? new GZIPOutputStream(file) : file) {
      TarWriter tar = new TarWriter(os);
      for (Path p : paths) {
        String name = dir.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          tar.write(TarEntry.symlink(name, Files.readSymbolicLink(p).toString(), 0, 0, 0), null);
        } else if (Files.isDirectory(p)) {
          tar.write(TarEntry.directory(name, mode(p), 0, 0, 0), null);
        } else {
          try (InputStream in = Files.newInputStream(p)) {
            tar.write(TarEntry.file(name, mode(p), 0, 0, Files.size(p), 0), in);
          }
        }
      }
      tar.finish();
    }
  }

  private static int mode(Path p) throws IOException {
    Set<PosixFilePermission> perms = new HashSet<>(Files.getPosixFilePermissions(p));
    int mode = 0;
    for (PosixFilePermission perm : PosixFilePermission.values()) {
      if (perms.contains(perm)) {
        mode |= 0400 >> perm.ordinal();
      }
    }
    return mode;
  }

  /** The case names the README mentions in backquotes, for the consistency check. */
  static List<String> readmeMentions() throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(root().resolve("README.md"), StandardCharsets.UTF_8)) {
      int i = 0;
      while ((i = line.indexOf('`', i)) >= 0) {
        int j = line.indexOf('`', i + 1);
        if (j < 0) {
          break;
        }
        out.add(line.substring(i + 1, j));
        i = j + 1;
      }
    }
    return out;
  }
}
