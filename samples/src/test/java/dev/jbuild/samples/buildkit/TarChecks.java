package dev.jbuild.samples.buildkit;

import dev.jbuild.builder.BuildResult;
import dev.jbuild.builder.export.ImageExporter;
import dev.jbuild.builder.export.OutputSpec;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarReader;
import dev.jbuild.samples.buildkit.SuiteCase.Line;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The suite's assertions on the image exported as {@code -o type=tar} (testTarExporterBasic). */
final class TarChecks {
  /** The keywords checked here, not on the rootfs. */
  static final List<String> KEYWORDS = List.of("tar-file");

  private TarChecks() {}

  /**
   * Checks the {@code tar-file NAME TEXT} lines against the image exported as {@code -o
   * type=tar,dest=TAR} (only when the case has such lines): NAME is the entry's name exactly as
   * written in the archive, as the Go tests' {@code testutil.ReadTarToMap} keys it.
   *
   * @return one line per failed assertion
   */
  static List<String> check(LayerStore store, BuildResult result, List<Line> checks, Path tar)
      throws IOException {
    List<Line> lines = checks.stream().filter(l -> KEYWORDS.contains(l.keyword())).toList();
    if (lines.isEmpty()) {
      return List.of();
    }
    new ImageExporter(store).export(result.image(), List.of(),
        new OutputSpec(OutputSpec.Type.TAR, tar.toString()));
    Map<String, String> files = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    try (TarReader reader = new TarReader(Files.newInputStream(tar))) {
      for (TarEntry e = reader.next(); e != null; e = reader.next()) {
        names.add(e.name());
        if (e.type() == TarEntry.Type.FILE) {
          files.put(e.name(), new String(reader.content().readAllBytes(),
              StandardCharsets.UTF_8));
        }
      }
    }
    List<String> failures = new ArrayList<>();
    for (Line l : lines) {
      String got = files.get(l.word(0));
      if (got == null || !got.equals(l.textAfter(1))) {
        failures.add("expect:" + l.number() + ": tar-file " + l.word(0) + ": "
            + (got == null ? "no such regular file; the entries were " + names
            : "content is \"" + got + "\""));
      }
    }
    return failures;
  }
}
