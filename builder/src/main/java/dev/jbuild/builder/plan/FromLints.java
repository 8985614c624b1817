package dev.jbuild.builder.plan;

import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.parser.ast.ArgDecl;
import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.Flag;
import dev.jbuild.parser.ast.From;
import dev.jbuild.parser.ast.GoStrings;
import dev.jbuild.parser.ast.Stage;
import dev.jbuild.parser.expand.ExpansionException;
import dev.jbuild.parser.expand.VariableExpander;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The FROM rules of BuildKit's linter, checked for every stage whether the build reaches it or
 * not, as BuildKit's {@code buildDispatchStates} and {@code validateBaseImagesWithDefaultArgs}
 * check them (moby/buildkit {@code frontend/dockerfile/dockerfile2llb/convert.go},
 * {@code validations.go}): UndefinedArgInFrom, RedundantTargetPlatform,
 * FromPlatformFlagConstDisallowed and InvalidDefaultArgInFrom. Expansion errors are not reported
 * here: planning reports them.
 */
final class FromLints {
  private FromLints() {}

  /**
   * Checks every stage's FROM.
   *
   * @param predefined the predefined ARGs ({@code TARGETPLATFORM}, {@code BUILDOS}, ...)
   * @param globalArgs the global ARG values of this build, over {@code predefined}
   */
  static void check(Dockerfile dockerfile, VariableExpander expander,
      Map<String, String> predefined, Map<String, String> globalArgs, PlanLints lints) {
    Set<String> argKeys = new LinkedHashSet<>(globalArgs.keySet());
    for (ArgDecl d : dockerfile.globalArgDeclarations()) {
      argKeys.add(d.name());
    }
    invalidDefaults(dockerfile, expander, predefined, lints);
    for (Stage stage : dockerfile.stages()) {
      From from = stage.from();
      int line = from.range().startLine();
      RecordingVars name = new RecordingVars(globalArgs);
      expand(expander, from.image(), name);
      undeclared(name, argKeys, line, lints);
      Flag flag = from.flags().stream().filter(f -> f.name().equals("platform"))
          .reduce((a, b) -> b).orElse(null);
      if (flag == null || flag.value() == null) {
        continue;
      }
      RecordingVars platform = new RecordingVars(globalArgs);
      String result = expand(expander, flag.value(), platform);
      undeclared(platform, argKeys, line, lints);
      if (result == null) {
        continue;
      }
      // Only $TARGETPLATFORM alone, giving the target platform (several variables, one empty,
      // may give the same text without being redundant).
      if (platform.matched.equals(Set.of("TARGETPLATFORM")) && platform.unmatched.isEmpty()
          && result.equals(globalArgs.get("TARGETPLATFORM"))) {
        lints.report(line, "RedundantTargetPlatform", "Setting platform to predefined "
            + flag.value() + " in FROM is redundant as this is the default behavior");
      }
      if (platform.matched.isEmpty() && platform.unmatched.isEmpty()) {
        constPlatform(stage, result, line, lints);
      }
    }
  }

  /** UndefinedArgInFrom for each name looked up that no global or predefined ARG declares. */
  private static void undeclared(RecordingVars vars, Set<String> argKeys, int line,
      PlanLints lints) {
    for (String arg : vars.unmatched) {
      if (argKeys.contains(arg)) {
        continue;
      }
      String match = PlanLints.suggest(arg, argKeys);
      lints.report(line, "UndefinedArgInFrom", "FROM argument '" + arg + "' is not declared"
          + (match == null ? "" : " (did you mean " + match + "?)"));
    }
  }

  /**
   * FromPlatformFlagConstDisallowed: a constant {@code --platform}, unless the stage's name
   * mentions its OS or architecture ({@code AS build_amd64}); an unparsable one fails later.
   */
  private static void constPlatform(Stage stage, String text, int line, PlanLints lints) {
    Platform p;
    try {
      p = Platform.parse(text.strip()).normalized();
    } catch (IllegalArgumentException e) {
      return;
    }
    String name = stage.name() == null ? "" : stage.name();
    if (name.contains(p.os()) || name.contains(p.architecture())) {
      return;
    }
    lints.report(line, "FromPlatformFlagConstDisallowed", "FROM --platform flag should not use"
        + " constant value " + GoStrings.quote(text));
  }

  /**
   * InvalidDefaultArgInFrom: with the global ARGs' defaults only (no build args), a FROM whose
   * name is not a valid image reference. Abandoned, as in BuildKit, when a default does not
   * expand.
   */
  private static void invalidDefaults(Dockerfile dockerfile, VariableExpander expander,
      Map<String, String> predefined, PlanLints lints) {
    Map<String, String> args = new LinkedHashMap<>(predefined);
    for (var arg : dockerfile.globalArgs()) {
      for (ArgDecl d : arg.args()) {
        if (d.hasDefault()) {
          String value = expand(expander, d.defaultValue(), args);
          if (value == null) {
            return;
          }
          args.put(d.name(), value);
        }
      }
    }
    for (Stage stage : dockerfile.stages()) {
      String name = expand(expander, stage.from().image(), args);
      if (name == null) {
        return;
      }
      try {
        ImageReference.parse(name);
      } catch (IllegalArgumentException e) {
        lints.report(stage.from().range().startLine(), "InvalidDefaultArgInFrom",
            "Default value for ARG " + stage.from().image()
                + " results in empty or invalid base image name");
      }
    }
  }

  /** The expanded word, or null when it does not expand (planning reports that). */
  private static String expand(VariableExpander expander, String word, Map<String, String> vars) {
    try {
      return expander.expand(word, vars);
    } catch (ExpansionException e) {
      return null;
    }
  }
}
