package dev.jbuild.builder.cli;

import dev.jbuild.layerstore.oci.Platform;

/** What {@code build --platform} may ask for today. */
final class TargetPlatform {
  private TargetPlatform() {}

  /**
   * The platform {@code --platform} asks for, when this build can produce it: until
   * multi-platform builds exist, only this machine's (RUN steps run natively). Anything else is
   * an error rather than an image of the wrong platform.
   */
  static Platform buildable(String spec) {
    if (spec.contains(",")) {
      throw new IllegalArgumentException("--platform " + spec + ": one build makes one platform"
          + " so far; run one build per platform (multi-platform builds are not supported yet)");
    }
    Platform wanted = Platform.parse(spec.strip());
    Platform host = Platform.host();
    boolean variantOk = wanted.variant() == null || wanted.variant().equals(host.variant())
        || host.architecture().equals("arm64") && wanted.variant().equals("v8");
    if (!wanted.os().equals(host.os()) || !wanted.architecture().equals(host.architecture())
        || !variantOk) {
      throw new IllegalArgumentException("--platform " + spec + ": jbuild builds only for this"
          + " machine's platform (" + host + ") so far; build on a " + wanted + " machine");
    }
    return wanted;
  }
}
