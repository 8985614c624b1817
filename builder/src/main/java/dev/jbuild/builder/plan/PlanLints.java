package dev.jbuild.builder.plan;

import dev.jbuild.parser.ast.CheckOptions;
import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.EditDistance;
import dev.jbuild.parser.ast.GoStrings;
import dev.jbuild.parser.ast.SyntaxNode;
import dev.jbuild.parser.ast.Warning;
import dev.jbuild.parser.ignore.DockerIgnore;
import dev.jbuild.parser.ignore.IgnorePattern;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The build checks only planning can make, as BuildKit's {@code dockerfile2llb} makes them while
 * it converts a Dockerfile (ported from moby/buildkit {@code frontend/dockerfile/dockerfile2llb/
 * validations.go} and {@code convert.go}; rule names and details from {@code linter/ruleset.go}):
 * the rules that need expansion, build inputs ({@code .dockerignore}) or the stages the target
 * reaches. The parser's syntax-level rules are in {@code parser.internal.Lints}.
 *
 * <p>Instruction rules (UndefinedVar, WorkdirRelativePath, MultipleInstructionsDisallowed,
 * SecretsUsedInArgOrEnv, CopyIgnoredFile) fire only for the stages the build plans, as BuildKit's
 * fire only for dispatched stages; FROM rules ({@link FromLints}) for every stage. A warning is
 * dropped when the {@code # check=skip=} of the options or the {@code # check=} comment directly
 * above its instruction skips its rule. Confined to the planning thread.
 */
public final class PlanLints {

  /** Lints that report nothing (tools that plan without a build, tests). */
  public static final PlanLints NONE =
      new PlanLints(null, CheckOptions.DEFAULT, DockerIgnore.empty(), w -> { });

  /** BuildKit's {@code nonEnvArgs}: build args that never reach the environment. */
  private static final Set<String> NON_ENV_ARGS =
      Set.of("BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE");

  // BuildKit's getSecretsRegex: a secret word as the whole name or its first/last _-part.
  private static final Pattern SECRET = Pattern.compile("(?i)(?:_|^)(?:apikey|auth|credential"
      + "|credentials|key|password|pword|passwd|secret|token)(?:_|$)");
  private static final Pattern NOT_SECRET = Pattern.compile("(?i)(?:_|^)(?:public|file|version)"
      + "(?:_|$)");
  // BuildKit's DirectiveParser on a comment line: "check=VALUE".
  private static final Pattern CHECK_COMMENT = Pattern.compile("(?i)check\\s*=\\s*(.+?)\\s*");

  private final Dockerfile dockerfile;
  private final CheckOptions options;
  private final DockerIgnore ignore;
  private final Consumer<Warning> sink;
  /** Stages that set an absolute WORKDIR themselves or through the stage they build FROM. */
  private final Set<Integer> workdirSet = new HashSet<>();
  /** "stage/KEYWORD" of CMD, ENTRYPOINT, HEALTHCHECK to the line of the last one. */
  private final Map<String, Integer> usedOnce = new HashMap<>();

  /**
   * Creates the lints of one build.
   *
   * @param dockerfile the parsed Dockerfile, for per-instruction {@code # check=} comments
   * @param options the build's check options ({@code # check=} directive)
   * @param ignore the context's {@code .dockerignore} rules, for CopyIgnoredFile
   * @param sink receives each warning as it is found, message {@code Rule: detail}
   */
  public PlanLints(Dockerfile dockerfile, CheckOptions options, DockerIgnore ignore,
      Consumer<Warning> sink) {
    this.dockerfile = dockerfile;
    this.options = Objects.requireNonNull(options, "options");
    this.ignore = Objects.requireNonNull(ignore, "ignore");
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  /** Reports {@code Rule: detail} at {@code line} unless the rule is skipped there. */
  void report(int line, String rule, String detail) {
    if (this == NONE || !options.enabled(rule) || !instructionOptions(line).enabled(rule)) {
      return;
    }
    sink.accept(new Warning(line, rule + ": " + detail));
  }

  /**
   * UndefinedVar: names an instruction's expansion looked up and did not find, except the ARGs
   * the stage declared (with or without a value) before it.
   *
   * @param options the names in scope, for BuildKit's "did you mean" (case-sensitive on Linux)
   */
  void undefinedVars(int line, Collection<String> unmatched, Collection<String> declared,
      Collection<String> options) {
    for (String name : unmatched) {
      if (declared.contains(name) || NON_ENV_ARGS.contains(name)) {
        continue;
      }
      String match = suggest(name, options);
      report(line, "UndefinedVar", "Usage of undefined variable '$" + name + "'"
          + (match == null ? "" : " (did you mean $" + match + "?)"));
    }
  }

  /**
   * WorkdirRelativePath: the first WORKDIR of a stage (counting the stage it is built FROM) is
   * relative.
   *
   * @param path the expanded path
   */
  void workdir(int stage, String path, int line) {
    if (!workdirSet.contains(stage) && !path.startsWith("/")) {
      report(line, "WorkdirRelativePath", "Relative workdir " + GoStrings.quote(path)
          + " can have unexpected results if the base image changes");
    }
    workdirSet.add(stage);
  }

  /** A stage built FROM stage {@code base} inherits whether a WORKDIR was set. */
  void inheritWorkdir(int stage, int base) {
    if (workdirSet.contains(base)) {
      workdirSet.add(stage);
    }
  }

  /**
   * MultipleInstructionsDisallowed: a second CMD, ENTRYPOINT or HEALTHCHECK in a stage; reported
   * at the earlier one, which has no effect.
   *
   * @param keyword the instruction word as written (BuildKit's {@code c.Name()})
   */
  void usedOnce(int stage, String keyword, int line) {
    Integer previous = usedOnce.put(stage + "/" + keyword.toUpperCase(java.util.Locale.ROOT), line);
    if (previous != null) {
      report(previous, "MultipleInstructionsDisallowed", "Multiple " + keyword
          + " instructions should not be used in the same stage because only the last one will"
          + " be used");
    }
  }

  /** SecretsUsedInArgOrEnv for one ARG or ENV key. */
  void secretKey(String instruction, String key, int line) {
    if (SECRET.matcher(key).find() && !NOT_SECRET.matcher(key).find()) {
      report(line, "SecretsUsedInArgOrEnv", "Do not use ARG or ENV instructions for sensitive"
          + " data (" + instruction + " " + GoStrings.quote(key) + ")");
    }
  }

  /**
   * CopyIgnoredFile: a COPY/ADD source from the context that {@code .dockerignore} excludes.
   * Like BuildKit, nothing is checked when the ignore file has {@code !} exceptions (a directory
   * may be excluded and a file in it re-included), and the context root only when a pattern
   * excludes every root entry ({@code *}, {@code **}, {@code **}{@code /*}).
   *
   * @param source the expanded source path
   */
  void copySource(boolean add, String source, int line) {
    if (ignore.patterns().isEmpty() || ignore.hasExceptions()) {
      return;
    }
    String src = cleanPath(source);
    if ((src.equals(".") || src.equals("/")) && !rootIgnored()) {
      return;
    }
    if (ignore.matches(src)) {
      report(line, "CopyIgnoredFile", "Attempting to " + (add ? "Add" : "Copy") + " file "
          + GoStrings.quote(src) + " that is excluded by .dockerignore");
    }
  }

  private boolean rootIgnored() {
    for (IgnorePattern p : ignore.patterns()) {
      if (!p.exception() && (p.text().equals("*") || p.text().equals("**")
          || p.text().equals("**/*"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * BuildKit's util/suggest {@code Search}, case-sensitive: the closest option at a Levenshtein
   * distance below 3 (the first of equals), none when one matches exactly.
   */
  static String suggest(String value, Collection<String> options) {
    String match = null;
    int best = 3;
    for (String option : options) {
      if (option.equals(value)) {
        return null;
      }
      int d = EditDistance.between(value, option);
      if (d < best) {
        match = option;
        best = d;
      }
    }
    return match;
  }

  /**
   * The check options in force at {@code line}: those of a {@code # check=} comment directly
   * above its instruction, merged over the build's (BuildKit's {@code
   * WithMergedConfigFromComments}: the value ends at the first space, so {@code # check=skip=X //
   * why} skips X; an invalid one is ignored).
   */
  private CheckOptions instructionOptions(int line) {
    if (dockerfile == null) {
      return CheckOptions.DEFAULT;
    }
    for (SyntaxNode node : dockerfile.nodes()) {
      if (node.range().startLine() <= line && line <= node.range().endLine()) {
        for (String comment : node.comments()) {
          Matcher m = CHECK_COMMENT.matcher(comment);
          if (m.matches()) {
            String value = m.group(1);
            int space = value.indexOf(' ');
            try {
              return CheckOptions.parse(space < 0 ? value : value.substring(0, space));
            } catch (IllegalArgumentException notACheck) {
              return CheckOptions.DEFAULT;
            }
          }
        }
        break;
      }
    }
    return CheckOptions.DEFAULT;
  }

  /** Go's {@code path.Clean}. */
  static String cleanPath(String p) {
    if (p.isEmpty()) {
      return ".";
    }
    boolean rooted = p.startsWith("/");
    java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
    for (String part : p.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!parts.isEmpty() && !parts.peekLast().equals("..")) {
          parts.removeLast();
        } else if (!rooted) {
          parts.addLast("..");
        }
        continue;
      }
      parts.addLast(part);
    }
    String joined = String.join("/", List.copyOf(parts));
    if (rooted) {
      return "/" + joined;
    }
    return joined.isEmpty() ? "." : joined;
  }
}
