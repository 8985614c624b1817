package dev.jbuild.builder.cli;

import dev.jbuild.layerstore.archive.ArchiveLoader;
import dev.jbuild.layerstore.archive.LoadedImage;
import dev.jbuild.layerstore.diff.LayerOptions;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.image.TaggedImage;
import dev.jbuild.layerstore.oci.ImageReference;
import java.io.BufferedInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild load [-i FILE]}: reads a {@code docker save} archive (classic or combined), or an
 * OCI layout tar, gzip'd or not, from a file or stdin, and prints {@code Loaded image: x} per tag
 * ({@code Loaded image ID: sha256:...} when it has none), like {@code docker load}.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = "Load images from a tar archive (docker-archive or OCI layout) or STDIN.")
final class LoadCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Spec CommandSpec spec;

  @Option(names = {"-i", "--input"}, paramLabel = "FILE",
      description = "Read from tar archive FILE, instead of STDIN.")
  Path input;

  @Option(names = {"-q", "--quiet"}, description = "Suppress the load output.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    if (input == null && System.console() != null) {
      throw new IllegalArgumentException("requested load from stdin, but stdin is empty");
    }
    List<LoadedImage> loaded;
    // Opened before the store, so a bad -i fails first and alone, with the reason.
    try (InputStream in = new BufferedInputStream(input != null ? openInput(input)
        : new FileInputStream(FileDescriptor.in), 1 << 16)) {
      Session session = Session.open(main);
      Map<String, String> before = new HashMap<>();
      for (TaggedImage t : session.store.images().list()) {
        before.put(t.reference().toString(), idOf(session, t));
      }
      loaded = new ArchiveLoader(session.store, LayerOptions.defaults()).load(in);
      report(session, loaded, before);
    }
    return 0;
  }

  /**
   * Opens {@code -i}'s file, or fails in docker's words ({@code open FILE: permission denied});
   * a bare {@code AccessDeniedException} names only the path.
   */
  static InputStream openInput(Path input) {
    if (Files.isDirectory(input)) {
      throw new IllegalArgumentException("read " + input + ": is a directory");
    }
    try {
      return Files.newInputStream(input);
    } catch (IOException e) {
      throw new IllegalArgumentException("open " + input + ": " + reason(e), e);
    }
  }

  /** The reason an open failed, worded as Go's {@code os.PathError} words it. */
  static String reason(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason().toLowerCase(java.util.Locale.ROOT);
    }
    return String.valueOf(e.getMessage());
  }

  private void report(Session session, List<LoadedImage> loaded, Map<String, String> before) {
    PrintWriter out = spec.commandLine().getOut();
    if (quiet) {
      return;
    }
    for (LoadedImage l : loaded) {
      Image image = l.image();
      if (l.tags().isEmpty()) {
        out.println("Loaded image ID: " + image.id());
      }
      for (ImageReference tag : l.tags()) {
        String old = before.get(tag.toString());
        if (old != null && !old.equals(image.id().toString())) {
          out.println("The image " + tag.familiar() + " already exists, renaming the old one"
              + " with ID " + old + " to empty string");
        }
        out.println("Loaded image: " + tag.familiar());
      }
    }
    out.flush();
  }

  private static String idOf(Session session, TaggedImage t) {
    try {
      return session.store.images().load(t.manifest().digest()).id().toString();
    } catch (IOException e) {
      return "";
    }
  }
}
