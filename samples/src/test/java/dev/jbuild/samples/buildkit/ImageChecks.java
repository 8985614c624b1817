package dev.jbuild.samples.buildkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarReader;
import dev.jbuild.layerstore.tar.TarStreams;
import dev.jbuild.samples.buildkit.SuiteCase.Line;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Checks a case's assertion lines on the built image itself rather than its rootfs: what the Go
 * tests read from an OCI export ({@code index.json}, the manifest's layers, the config's times).
 * Every failed line is collected, as {@link RootfsChecks} does.
 */
final class ImageChecks {
  /** The keywords this class checks (buildkit/README.md). */
  static final List<String> KEYWORDS = List.of("config-each", "layer-mtime",
      "created-later");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final LayerStore store;
  private final Image image;
  private final Path context;
  private final Image previous;

  /**
   * @param context the build context, for {@code layer-mtime PATH context}
   * @param previous the image of the build before a rebuild, or null
   */
  ImageChecks(LayerStore store, Image image, Path context, Image previous) {
    this.store = store;
    this.image = image;
    this.context = context;
    this.previous = previous;
  }

  /** The failures of {@code checks} (lines with other keywords are ignored), one line each. */
  List<String> check(List<Line> checks) {
    return LineCheck.all(checks.stream().filter(l -> KEYWORDS.contains(l.keyword())).toList(),
        this::check);
  }

  private String check(Line line) throws IOException {
    return switch (line.keyword()) {
      case "config-each" -> {
        JsonNode array = JSON.readTree(image.configBytes()).at(line.word(0));
        JsonNode want = JSON.readTree(line.textAfter(2));
        if (!array.isArray() || array.isEmpty()) {
          yield "is " + (array.isMissingNode() ? "absent" : array + ", not a non-empty array");
        }
        for (JsonNode element : array) {
          JsonNode got = element.at(line.word(1));
          if (!want.equals(got)) {
            yield "an element's " + line.word(1) + " is "
                + (got.isMissingNode() ? "absent" : got) + ": " + element;
          }
        }
        yield null;
      }
      case "layer-mtime" -> {
        Long got = topLayerMtime(line.word(0));
        long want = line.word(1).equals("context")
            ? Files.getLastModifiedTime(context.resolve(line.word(0)), LinkOption.NOFOLLOW_LINKS)
                .toInstant().getEpochSecond()
            : Long.parseLong(line.word(1));
        yield got == null ? "not in the image's last layer"
            : got == want ? null : "mtime is " + got + ", expected " + want;
      }
      case "created-later" -> {
        requirePrevious(line);
        Instant got = Instant.parse(image.config().created());
        Instant before = Instant.parse(previous.config().created());
        yield got.isAfter(before) ? null
            : "created " + got + " is not after the build before's " + before;
      }
      default -> throw new IllegalArgumentException("unknown assertion " + line.keyword());
    };
  }

  private void requirePrevious(Line line) {
    if (previous == null) {
      throw new IllegalArgumentException(line.keyword() + " needs a rebuild before it");
    }
  }

  /** The mtime of entry {@code path} (relative, no trailing slash) in the last layer, or null. */
  private Long topLayerMtime(String path) throws IOException {
    List<Layer> layers = image.layers();
    if (layers.isEmpty()) {
      return null;
    }
    String wanted = path.replaceAll("^/+|/+$", "");
    try (InputStream blob = store.content().open(layers.get(layers.size() - 1).blob());
        TarReader tar = new TarReader(TarStreams.decompress(blob))) {
      for (TarEntry e = tar.next(); e != null; e = tar.next()) {
        if (e.name().replaceAll("^(\\./)?/*|/+$", "").equals(wanted)) {
          return e.mtime();
        }
      }
    }
    return null;
  }
}
