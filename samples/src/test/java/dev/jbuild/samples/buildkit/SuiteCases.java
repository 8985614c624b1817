package dev.jbuild.samples.buildkit;

import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarWriter;
import dev.jbuild.samples.Jbuild;
import dev.jbuild.samples.buildkit.SuiteCase.Line;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /**
   * Lays out the context of {@code c} at {@code dest} (from {@link SuiteCase#inputs()}) and
   * returns {@code dest}.
   */
  static Path context(SuiteCase c, Path dest) throws IOException {
    Files.createDirectories(dest);
    Path src = c.inputs().resolve("context");
    if (Files.isDirectory(src)) {
      copyTree(src, dest);
    }
    if (Files.isRegularFile(c.inputs().resolve("Dockerfile"))) {
      Files.copy(c.inputs().resolve("Dockerfile"), dest.resolve("Dockerfile"),
          StandardCopyOption.REPLACE_EXISTING);
    }
    apply(c, c.setup(), dest);
    return dest;
  }

  /**
   * Applies setup lines to the laid-out tree {@code dest}; {@link SuiteCase#BUILD_INPUTS} lines
   * are inputs of the build, which the test reads.
   */
  static void apply(SuiteCase c, List<Line> setup, Path dest) throws IOException {
    Map<String, List<TarEntryLine>> archives = new LinkedHashMap<>();
    for (Line line : setup) {
      if (SuiteCase.BUILD_INPUTS.contains(line.keyword())) {
        continue;
      }
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
        case "rm" -> dev.jbuild.layerstore.fs.Trees.deleteRecursively(p);
        case "write" -> Files.writeString(p, line.textAfter(1), StandardCharsets.UTF_8);
        case "tar" -> archives.computeIfAbsent(line.word(0), k -> new ArrayList<>())
            .add(new TarEntryLine(line));
        default -> throw new IllegalStateException(line.keyword());
      }
    }
    for (Map.Entry<String, List<TarEntryLine>> a : archives.entrySet()) {
      tar(a.getValue(), dest.resolve(a.getKey()), a.getKey().endsWith(".gz"));
    }
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

  /** One {@code tar ARCHIVE KIND NAME ...} line: an entry of an archive the case builds. */
  private record TarEntryLine(Line line) {
    /**
     * The entry, owned 0:0 with mtime 0: {@code file NAME MODE TEXT}, {@code dir NAME MODE},
     * {@code symlink NAME TARGET}, {@code hardlink NAME TARGET}.
     */
    TarEntry entry() {
      String name = line.word(2);
      return switch (line.word(1)) {
        case "file" -> TarEntry.file(name, Integer.parseInt(line.word(3), 8), 0, 0,
            content().length, 0);
        case "dir" -> TarEntry.directory(name, Integer.parseInt(line.word(3), 8), 0, 0, 0);
        case "symlink" -> TarEntry.symlink(name, line.word(3), 0, 0, 0);
        case "hardlink" -> new TarEntry(name, TarEntry.Type.HARDLINK, 0644, 0, 0, 0, 0,
            line.word(3), 0, 0, Map.of());
        default -> throw new IllegalArgumentException("expect:" + line.number()
            + ": tar entry kind must be file, dir, symlink or hardlink");
      };
    }

    byte[] content() {
      return line.textAfter(4).getBytes(StandardCharsets.UTF_8);
    }
  }

  /**
   * Writes the entries, in the order given, as a tar (gzip-compressed when asked): the archives
   * the Go tests build in memory with {@code archive/tar}, entry by entry.
   */
  private static void tar(List<TarEntryLine> entries, Path out, boolean gzip) throws IOException {
    try (OutputStream file = Files.newOutputStream(out);
        OutputStream os = gzip ? new GZIPOutputStream(file) : file) {
      TarWriter tar = new TarWriter(os);
      for (TarEntryLine e : entries) {
        TarEntry entry = e.entry();
        tar.write(entry, entry.type() == TarEntry.Type.FILE
            ? new ByteArrayInputStream(e.content()) : null);
      }
      tar.finish();
    }
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
