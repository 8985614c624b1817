package dev.jbuild.builder.plan;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.parser.ast.Add;
import dev.jbuild.parser.ast.Arg;
import dev.jbuild.parser.ast.Instruction;
import dev.jbuild.parser.ast.Stage;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code SOURCE_DATE_EPOCH} build argument as current BuildKit's Dockerfile frontend resolves
 * it (moby/buildkit {@code frontend/dockerfile/dockerfile2llb/epoch.go} and {@code convert.go}
 * {@code getBuildArgValue}/{@code setBuildArgValue}; behaviour ported, code our own). The value
 * comes from the {@code --build-arg} when one is given (an empty one included), else from the
 * global {@code ARG SOURCE_DATE_EPOCH=...} when it is not empty. It is then
 *
 * <ul>
 *   <li>empty: no epoch;
 *   <li>an integer: the epoch, in seconds; negative ones (before 1970) too, as BuildKit parses it
 *       with Go's {@code strconv.ParseInt} and {@code time.Unix}. The image's {@code created} must
 *       be a JSON time, which Go writes only for the years 0 to 9999 ({@code Time.MarshalJSON}),
 *       so an epoch outside them is refused here rather than when the config is written;
 *   <li>{@code context}: the time of the main context's source; a local directory (jbuild's only
 *       kind) has none, so no epoch;
 *   <li>the name of a {@code --build-context}: its source's time; neither a directory nor an image
 *       has one, so no epoch;
 *   <li>the name of a stage: the stage must be source-only ({@code FROM scratch}, ARGs and exactly
 *       one remote ADD), whose download time BuildKit would read; jbuild validates the stage with
 *       BuildKit's words and then refuses, as it does not fetch for the epoch;
 *   <li>anything else: BuildKit's error {@code invalid SOURCE_DATE_EPOCH: VALUE}.
 * </ul>
 *
 * <p>The resolved value replaces the build argument and the global ARG (both are removed when
 * there is no epoch), so a {@code RUN} that declares {@code ARG SOURCE_DATE_EPOCH} sees the number
 * the image's times are fixed to.
 */
final class SourceDateEpoch {
  static final String NAME = "SOURCE_DATE_EPOCH";
  /** The sources BuildKit takes as remote here: HTTP(S) and Git ({@code isHTTPSource}, dfgitutil). */
  private static final java.util.regex.Pattern REMOTE =
      java.util.regex.Pattern.compile("https?://|git://|ssh://|git@");

  /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the times a JSON config can hold. */
  static final long MIN_SECONDS = -62_167_219_200L;
  static final long MAX_SECONDS = 253_402_300_799L;

  private SourceDateEpoch() {}

  /**
   * What resolving gave.
   *
   * @param epoch the epoch in seconds, or null for none
   * @param options the options with the build argument replaced
   * @param globalArgs the global ARG values with the value replaced
   */
  record Resolved(Long epoch, PlanOptions options, Map<String, String> globalArgs) {}

  /**
   * Resolves the epoch of a build whose global ARG values are {@code globalArgs}.
   *
   * @throws BuildException with BuildKit's message when the value is neither empty, an integer,
   *     {@code context}, a named context nor a stage, or names a stage that is not source-only
   *     (located at its FROM line)
   */
  static Resolved resolve(PlanningContext ctx, Map<String, String> globalArgs)
      throws BuildException {
    PlanOptions options = ctx.options();
    String value = options.buildArgs().get(NAME);
    if (value == null) {
      value = globalArgs.get(NAME);
      if (value == null || value.isEmpty()) {
        return new Resolved(null, options, globalArgs);
      }
    }
    Long epoch = epoch(ctx, value, globalArgs);
    String text = epoch == null ? null : Long.toString(epoch);
    Map<String, String> buildArgs = replaced(options.buildArgs(), text);
    return new Resolved(epoch, new PlanOptions(options.dockerfileName(), options.target(),
        options.platform(), buildArgs, options.network(), options.noCache(),
        options.noCacheStages(), options.namedContexts()), replaced(globalArgs, text));
  }

  private static Long epoch(PlanningContext ctx, String value, Map<String, String> globalArgs)
      throws BuildException {
    if (value.isEmpty()) {
      return null;
    }
    if (value.matches("[+-]?\\d{1,19}")) {
      // Go's strconv.ParseInt(v, 10, 64), which BuildKit uses.
      long seconds;
      try {
        seconds = Long.parseLong(value.startsWith("+") ? value.substring(1) : value);
      } catch (NumberFormatException e) {
        throw new BuildException("invalid SOURCE_DATE_EPOCH: " + value, e);
      }
      if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
        // Go's Time.MarshalJSON fails there, so BuildKit cannot write such a config either.
        throw new BuildException("invalid SOURCE_DATE_EPOCH: " + value + " (the image's created"
            + " time must be in the years 0 to 9999: from " + MIN_SECONDS + " to " + MAX_SECONDS
            + ")");
      }
      return seconds;
    }
    if (value.equals("context") || ctx.options().namedContext(value) != null) {
      return null;
    }
    for (Stage stage : ctx.stages()) {
      if (stage.name() != null && stage.name().equalsIgnoreCase(value)) {
        Map<String, String> args = new LinkedHashMap<>(globalArgs);
        args.remove(NAME);
        String problem = sourceOnlyProblem(ctx, stage, args);
        throw ctx.located(stage.from().range().startLine(), problem != null ? problem
            : "SOURCE_DATE_EPOCH from stage " + stage.name() + ": jbuild does not read the time"
            + " of a remote ADD; give SOURCE_DATE_EPOCH as seconds instead", null);
      }
    }
    throw new BuildException("invalid SOURCE_DATE_EPOCH: " + value);
  }

  /**
   * Why {@code stage} is not a source-only stage, in BuildKit's words ({@code
   * sourceDateEpochStageSource}), or null when it is one.
   */
  private static String sourceOnlyProblem(PlanningContext ctx, Stage stage,
      Map<String, String> args) throws BuildException {
    String base = ctx.expand(stage.from().image(), args, stage.from().range().startLine());
    if (!base.equals("scratch")) {
      return "SOURCE_DATE_EPOCH stage must use FROM scratch";
    }
    Add remote = null;
    for (Instruction i : stage.instructions()) {
      if (i instanceof Arg) {
        continue;
      }
      if (!(i instanceof Add add)) {
        return "SOURCE_DATE_EPOCH stage does not meet source-only requirements: unsupported "
            + i.keyword().toLowerCase(Locale.ROOT) + " instruction";
      }
      if (remote != null) {
        return "SOURCE_DATE_EPOCH stage must contain exactly one remote ADD";
      }
      if (!add.heredocs().isEmpty() || add.sources().size() != 1) {
        return "SOURCE_DATE_EPOCH stage must contain exactly one remote ADD source";
      }
      String src = ctx.expand(add.sources().get(0), args, add.range().startLine());
      if (!REMOTE.matcher(src).lookingAt()) {
        return "SOURCE_DATE_EPOCH stage source must be a single HTTP(S) or Git ADD";
      }
      remote = add;
    }
    return remote == null ? "SOURCE_DATE_EPOCH stage must contain exactly one remote ADD" : null;
  }

  /** {@code values} with {@link #NAME} set to {@code value} where present, removed if null. */
  private static Map<String, String> replaced(Map<String, String> values, String value) {
    if (!values.containsKey(NAME)) {
      return values;
    }
    Map<String, String> copy = new LinkedHashMap<>(values);
    if (value == null) {
      copy.remove(NAME);
    } else {
      copy.put(NAME, value);
    }
    return copy;
  }
}
