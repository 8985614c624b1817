package dev.jbuild.builder.cli;

import dev.jbuild.builder.export.OutputSpec;
import dev.jbuild.registry.IndexFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * What {@code jbuild build} does with the image besides storing it ({@code -o}, {@code --push},
 * {@code -q}, {@code --iidfile}, {@code --metadata-file}), mixed into {@link BuildCommand} and
 * read by its single- and multi-platform paths ({@link MultiPlatformBuild}).
 */
final class OutputFlags {
  @Option(names = {"-o", "--output"}, paramLabel = "type=TYPE,dest=PATH",
      description = "Also write the image: type=docker|oci (archives), local (root filesystem "
          + "directory) or tar (root filesystem tar); dest=- is standard output (repeatable)."
          + " type=registry (--push) or image[,push=true] with [name=REF]; oci-mediatypes=false"
          + " makes a multi-platform image a Docker manifest list.")
  List<String> outputs = new ArrayList<>();

  /** How a push sends a multi-platform image ({@code oci-mediatypes}); set by {@link #parse}. */
  IndexFormat indexFormat = IndexFormat.OCI_ELSE_DOCKER_LIST;

  @Option(names = "--push", description = "Push every tag after the build.")
  boolean push;

  @Option(names = {"-q", "--quiet"},
      description = "Print only the image ID on success.")
  boolean quiet;

  @Option(names = "--iidfile", paramLabel = "FILE", description = "Write the image ID to FILE.")
  Path iidFile;

  @Option(names = "--metadata-file", paramLabel = "FILE",
      description = "Write what was built to FILE as JSON, with buildx's keys"
          + " (containerimage.digest, containerimage.config.digest, image.name).")
  Path metadataFile;

  /**
   * Parses the {@code -o} values: {@code type=registry} or {@code push=true} also sets {@link
   * #push}, and {@code oci-mediatypes} sets {@link #indexFormat}.
   *
   * @throws IllegalArgumentException one line naming the bad value
   */
  BuildOutputs parse() {
    BuildOutputs parsed = BuildOutputs.parse(outputs);
    push |= parsed.push();
    indexFormat = parsed.indexFormat();
    return parsed;
  }
}
