package dev.jbuild.builder.exec;

import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.layerstore.oci.ImageConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mutable state of one stage while it is built: the image config so far, its layers, the ARGs
 * in scope and whether CMD was set in this stage (ENTRYPOINT resets an inherited CMD only).
 * Confined to the thread building the stage.
 */
final class StageState {
  ImageConfig config;
  final List<Layer> layers;
  final Map<String, String> args = new LinkedHashMap<>();
  /** Declared ARG names in order, repeated when declared again (BuildKit's buildArgs). */
  final List<String> declaredArgs = new ArrayList<>();
  boolean cmdSetInStage;
  final boolean useCache;
  boolean lastStepCached;
  /** The time of the last filesystem step (or of the base image), for history entries. */
  String lastCreated;

  StageState(ImageConfig config, List<Layer> layers, boolean useCache) {
    this.config = config;
    this.layers = new ArrayList<>(layers);
    this.useCache = useCache;
  }

  ContainerConfig container() {
    return config.containerConfig();
  }

  void container(ContainerConfig c) {
    config = config.withContainerConfig(c);
  }

  /**
   * Variables visible to expansion: ARGs, then ENV (ENV wins over ARG of the same name, as in
   * BuildKit).
   */
  Map<String, String> expansionVars() {
    Map<String, String> vars = new LinkedHashMap<>(args);
    vars.putAll(container().envMap());
    return vars;
  }

  /** The working directory, {@code /} when unset. */
  String workingDir() {
    String wd = container().workingDir();
    return wd == null || wd.isEmpty() ? "/" : wd;
  }

  /** The shell for shell-form commands. */
  List<String> shell() {
    List<String> shell = container().shell();
    return shell == null || shell.isEmpty() ? List.of("/bin/sh", "-c") : shell;
  }
}
