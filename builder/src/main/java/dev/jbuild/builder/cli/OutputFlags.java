package dev.jbuild.builder.cli;

import dev.jbuild.builder.export.OutputSpec;
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
          + "directory) or tar (root filesystem tar); dest=- is standard output (repeatable).")
  List<String> outputs = new ArrayList<>();

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
   * The {@code -o} values, parsed.
   *
   * @throws IllegalArgumentException one line naming the bad value
   */
  List<OutputSpec> specs() {
    List<OutputSpec> specs = new ArrayList<>();
    for (String o : outputs) {
      specs.add(OutputSpec.parse(o));
    }
    return specs;
  }
}
