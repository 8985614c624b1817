package dev.jbuild.builder.plan;

import dev.jbuild.builder.context.Chmod;
import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.plan.PlanState.StepLabel;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.parser.ast.Flag;
import dev.jbuild.parser.ast.Heredoc;
import dev.jbuild.parser.ast.Instruction;
import dev.jbuild.parser.ignore.DockerIgnore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans COPY and ADD: flags ({@code --from}, {@code --chown}, {@code --chmod}, {@code --link},
 * {@code --parents}, {@code --checksum}, {@code --exclude}), sources sorted into paths,
 * here-documents and URLs, the destination against WORKDIR, the history text and the static part
 * of the cache key. Content checksums are left to execution.
 */
final class CopyPlanner {
  private final StepScope scope;
  private final PlanningContext ctx;
  private final PlanState state;
  private final StepLabel label;

  CopyPlanner(StepScope scope) {
    this.scope = scope;
    this.ctx = scope.ctx();
    this.state = scope.state();
    this.label = scope.label();
  }

  CopyFilesStep plan(Instruction instruction, List<String> rawSources, String rawDest,
      List<Heredoc> heredocs, boolean add) throws BuildException, InterruptedException {
    String keyword = add ? "ADD" : "COPY";
    Map<String, String> vars = state.expansionVars();
    int line = label.line();
    String chown = null;
    Chmod chmod = null;
    boolean link = false;
    boolean parents = false;
    String checksum = null;
    String from = null;
    Boolean unpack = null;
    List<String> excludes = new ArrayList<>();
    // BuildKit expands only --chown, --chmod and --checksum of the flags, so only their
    // variables count as used for UndefinedVar (a plain copy of the variables records nothing);
    // --from is never expanded (checked below).
    Map<String, String> unrecorded = new LinkedHashMap<>(vars);
    for (Flag f : instruction.flags()) {
      boolean used = f.name().equals("chown") || f.name().equals("chmod")
          || f.name().equals("checksum");
      String value = f.value() == null ? null
          : f.name().equals("from") ? f.value()
          : ctx.expand(f.value(), used ? vars : unrecorded, line);
      switch (f.name()) {
        case "chown" -> chown = value;
        case "chmod" -> {
          try {
            chmod = Chmod.parse(value);
          } catch (IllegalArgumentException e) {
            throw ctx.located(line, e.getMessage(), e);
          }
        }
        case "link" -> link = value == null || !value.equals("false");
        case "parents" -> parents = value == null || !value.equals("false");
        case "from" -> {
          // BuildKit expands --from with no variables at all and refuses any change
          // (dockerfile2llb/convert.go toCommand): stage references are static.
          if (!ctx.expand(f.value(), Map.of(), line).equals(f.value())) {
            throw ctx.located(line, "variable expansion is not supported for --from, define a"
                + " new stage with FROM using ARG from global scope as a workaround", null);
          }
          from = value;
        }
        case "checksum" -> checksum = value;
        case "exclude" -> excludes.add(value);
        case "unpack" -> {
          // Only ADD has the flag; the parser refuses COPY --unpack as BuildKit does.
          if (value != null && !value.equals("true") && !value.equals("false")) {
            throw ctx.located(line, "invalid value for --unpack: " + value
                + " (expected true or false)", null);
          }
          unpack = value == null || value.equals("true");
        }
        case "keep-git-dir" -> {
          // Git sources are not supported, so there is no .git to keep.
        }
        default -> throw ctx.located(line, keyword + " " + f + " is not supported yet", null);
      }
    }
    List<String> sources = new ArrayList<>();
    List<InlineFile> inline = new ArrayList<>();
    List<String> urls = new ArrayList<>();
    int heredocIndex = 0;
    for (String raw : rawSources) {
      if (raw.startsWith("<<") && heredocIndex < heredocs.size()) {
        Heredoc h = heredocs.get(heredocIndex++);
        inline.add(new InlineFile(h.name(),
            h.expand() ? ctx.expandHeredoc(h.content(), vars, line) : h.content()));
        continue;
      }
      String s = ctx.expand(raw, vars, line);
      if (s.startsWith("http://") || s.startsWith("https://")) {
        if (!add) {
          throw ctx.located(line, "source can't be a URL for COPY", null);
        }
        urls.add(s);
      } else if (add && (s.startsWith("git@") || s.endsWith(".git"))) {
        throw ctx.located(line, "ADD from a git repository is not supported yet", null);
      } else {
        sources.add(s);
      }
    }
    if (checksum != null && urls.isEmpty()) {
      // BuildKit's wording (dockerfile2llb/convert_copy.go); git sources are not supported here.
      throw ctx.located(line, "checksum requires HTTP(S) or Git sources", null);
    }
    if (!excludes.isEmpty()) {
      try {
        DockerIgnore.of(excludes);
      } catch (IllegalArgumentException e) {
        throw ctx.located(line, "--exclude: " + e.getMessage(), e);
      }
    }
    FileOrigin origin = FileOrigin.CONTEXT;
    if (from != null) {
      origin = scope.origin(from, keyword);
    } else {
      for (String source : sources) {
        ctx.lints().copySource(add, source, line);
      }
    }
    String dest = ctx.expand(rawDest, vars, line);
    String abs = PlanPaths.absolute(state.workingDir(), dest);
    // An empty destination (COPY f $EMPTY) is the working directory (BuildKit's dispatchCopy).
    boolean dirDest = dest.isEmpty() || dest.endsWith("/") || dest.endsWith("/.")
        || dest.equals(".");
    String destination = dirDest && !abs.endsWith("/") ? abs + "/" : abs;

    // BuildKit's history text: COPY src… <<HEREDOC… dest # buildkit, expanded, flags left out.
    StringBuilder createdBy = new StringBuilder(keyword);
    urls.forEach(u -> createdBy.append(' ').append(u));
    sources.forEach(s -> createdBy.append(' ').append(s));
    inline.forEach(h -> createdBy.append(" <<").append(h.name()));
    createdBy.append(' ').append(dest).append(" # buildkit");

    StringBuilder key = new StringBuilder(keyword).append('\n');
    if (!sources.isEmpty()) {
      key.append("from ").append(origin.describe()).append('\n');
      key.append("sources ").append(sources).append('\n');
    }
    for (InlineFile h : inline) {
      key.append("heredoc ").append(h.name()).append(' ').append(Digest.sha256(h.content()))
          .append('\n');
    }
    key.append("dest ").append(destination).append("\nchown ").append(chown)
        .append("\nchmod ").append(chmod).append("\nlink ").append(link)
        .append("\nparents ").append(parents).append("\nexclude ").append(excludes)
        .append('\n');
    if (unpack != null) {
      key.append("unpack ").append(unpack).append('\n');
    }
    return new CopyFilesStep(scope.header(createdBy.toString()), add, origin, sources,
        inline, urls, destination, chown, chmod, link, parents, checksum, excludes, unpack,
        key.toString());
  }
}
