package dev.jbuild.builder.plan;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.parser.ast.Stage;
import dev.jbuild.parser.expand.ExpansionException;
import dev.jbuild.parser.expand.VariableExpander;
import java.util.List;
import java.util.Map;

/**
 * What planning one stage needs of the whole build: options, base configs, the global ARG values,
 * the Dockerfile's lines (for labels) and the way to reach other stages.
 *
 * @param options the build's planning options
 * @param bases base image configs
 * @param expander the Dockerfile's variable expander (its escape token)
 * @param globalArgs values of the ARGs before the first FROM, over the predefined platform ARGs
 * @param lines the Dockerfile's lines
 * @param stages every stage of the Dockerfile
 * @param multiStage whether labels carry stage names ({@code [build 2/3] RUN make})
 * @param ends plans an earlier stage on demand and says how it ends
 * @param lints receives the build checks planning makes
 */
record PlanningContext(PlanOptions options, BaseConfigs bases, VariableExpander expander,
    Map<String, String> globalArgs, String[] lines, List<Stage> stages, boolean multiStage,
    StageEnds ends, PlanLints lints) {

  /** Plans earlier stages on demand. */
  @FunctionalInterface
  interface StageEnds {
    /** Plans stage {@code index} if it is not yet, and returns how it ends. */
    StageEnd end(int index) throws BuildException, InterruptedException;
  }

  String expand(String word, Map<String, String> vars, int line) throws BuildException {
    try {
      return expander.expand(word, vars);
    } catch (ExpansionException e) {
      throw located(line, e.getMessage(), e);
    }
  }

  /** A COPY/ADD heredoc body: quotes kept, {@code '${x}'} expanded (BuildKit's ExpandRaw). */
  String expandHeredoc(String body, Map<String, String> vars, int line) throws BuildException {
    try {
      return VariableExpander.expandHeredoc(body, vars);
    } catch (ExpansionException e) {
      throw located(line, e.getMessage(), e);
    }
  }

  List<String> expandWords(String text, Map<String, String> vars, int line)
      throws BuildException {
    try {
      return expander.expandWords(text, vars);
    } catch (ExpansionException e) {
      throw located(line, e.getMessage(), e);
    }
  }

  /** An error located at a Dockerfile line: {@code Dockerfile:3: message}. */
  BuildException located(int line, String message, Throwable cause) {
    return new BuildException(options.dockerfileName() + ":" + line + ": " + message, cause);
  }

  /**
   * What {@code --from} or {@code from=} names, seen from stage {@code before}: an earlier stage
   * (by name or index; planned now if it is not yet) or an image.
   */
  FileOrigin origin(String reference, int before, String keyword, int line)
      throws BuildException, InterruptedException {
    NamedContext named = options.namedContext(reference);
    if (named instanceof NamedContext.Image i) {
      return new FileOrigin.Image(i.reference(), reference);
    } else if (named instanceof NamedContext.Directory d) {
      return new FileOrigin.Directory(d.dir(), reference);
    } else if (named instanceof NamedContext.Scratch) {
      // The empty image, as --from=scratch names it.
      return new FileOrigin.Image(ImageReference.parse("scratch"), reference);
    }
    int stage = BuildPlanner.findStage(stages, reference, before);
    if (stage >= 0) {
      ends.end(stage);
      return new FileOrigin.Stage(stage, reference);
    }
    if (definedLater(reference, before)) {
      // This stage or a later one: BuildKit's words (convert.go; testOutOfOrderStage).
      String current = stages.get(before).name();
      throw located(line, "cannot copy from stage \"" + reference + "\", it needs to be"
          + " defined before current stage \"" + (current == null ? "stage-" + before : current) + "\"", null);
    }
    return new FileOrigin.Image(image(reference, keyword, line), reference);
  }

  /** Whether {@code reference} names stage {@code before} itself or a stage after it. */
  boolean definedLater(String reference, int before) {
    return BuildPlanner.findStage(stages, reference, before) < 0
        && BuildPlanner.findStage(stages, reference, stages.size()) >= 0;
  }

  /** Parses an image reference that a FROM or {@code --from} names. */
  ImageReference image(String name, String keyword, int line) throws BuildException {
    try {
      return ImageReference.parse(name);
    } catch (IllegalArgumentException e) {
      throw located(line, keyword + " " + name + ": " + e.getMessage(), e);
    }
  }
}
