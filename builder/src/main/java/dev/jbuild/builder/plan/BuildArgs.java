package dev.jbuild.builder.plan;

import dev.jbuild.parser.ast.Arg;
import dev.jbuild.parser.ast.ArgDecl;
import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.Stage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** What a Dockerfile does with the {@code --build-arg} values it is given. */
public final class BuildArgs {
  /**
   * Build args every build accepts without an ARG: the proxy variables (which reach RUN steps
   * anyway), BuildKit's own switches and {@code SOURCE_DATE_EPOCH}.
   */
  private static final Set<String> PREDEFINED = Set.of("http_proxy", "https_proxy", "ftp_proxy",
      "no_proxy", "all_proxy", "source_date_epoch");

  private BuildArgs() {}

  /**
   * The names in {@code given} that no ARG of the Dockerfile declares, in the order given, for
   * docker's warning "One or more build-args [X] were not consumed" (a mistyped name otherwise
   * passes silently). ARGs of every stage count, reached or not, so a build-arg meant for
   * another target is not reported.
   */
  public static List<String> unconsumed(Dockerfile dockerfile, Map<String, String> given) {
    Set<String> declared = new HashSet<>();
    for (Arg arg : dockerfile.globalArgs()) {
      for (ArgDecl d : arg.args()) {
        declared.add(d.name());
      }
    }
    for (Stage stage : dockerfile.stages()) {
      for (ArgDecl d : stage.argDeclarations()) {
        declared.add(d.name());
      }
    }
    List<String> unused = new ArrayList<>();
    for (String name : given.keySet()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!declared.contains(name) && !PREDEFINED.contains(lower)
          && !name.startsWith("BUILDKIT_")) {
        unused.add(name);
      }
    }
    return unused;
  }
}
