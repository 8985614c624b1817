package dev.jbuild.builder.cli;

import dev.jbuild.layerstore.oci.Platform;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What {@code build --platform} asks for. */
final class TargetPlatform {
  private TargetPlatform() {}

  /**
   * The platforms of {@code --platform P1,P2,…}, normalized as BuildKit does ({@code
   * linux/aarch64} is {@code linux/arm64}), duplicates dropped, in the order given. Whether a
   * foreign platform's RUN steps can execute (QEMU through binfmt_misc) is checked when such a
   * step runs, so a build whose RUN steps all hit the cache, or that has none, needs no emulator.
   *
   * @throws IllegalArgumentException naming the bad entry
   */
  static List<Platform> parse(String spec) {
    Set<Platform> out = new LinkedHashSet<>();
    for (String part : spec.split(",", -1)) {
      if (part.isBlank()) {
        throw new IllegalArgumentException("invalid --platform '" + spec
            + "': an empty entry; expected os/arch[/variant][,os/arch[/variant]...]");
      }
      Platform p = Platform.parse(part.strip()).normalized();
      if (!p.os().equals("linux")) {
        throw new IllegalArgumentException("invalid --platform '" + spec + "': " + p
            + " is not a linux platform; jbuild builds linux images only");
      }
      out.add(p);
    }
    return List.copyOf(out);
  }
}
